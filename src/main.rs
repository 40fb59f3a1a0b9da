fn main() {
    #[cfg(target_arch = "wasm32")]
    xinjing_safety::ui::start();
}

// Talc instead of Rust's default dlmalloc: the same behaviour for a single-threaded wasm
// (freeing, coalescing, growing memory), fewer bytes. A panic still aborts through the
// panic hook to the crash screen (ui::crash): the allocator does not change that.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    #[cfg(target_arch = "wasm32")]
    xinjing_safety::ui::start();
}

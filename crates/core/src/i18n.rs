//! The two string catalogues (zh-CN is authoritative, en follows) and language choice.
//!
//! Hand-rolled on purpose: one `match` per language compiles to a few KB, where an i18n
//! runtime costs 17–46 KB brotli (README, "Performance"). The macro makes a key without both
//! texts a compile error, and the tests check the texts themselves.

pub use xinjing_contract::Lang;

/// The resident's own earlier choice wins, then a `?lang=` link, then the deployment's
/// default, then the browser's languages; Chinese when nothing matches.
pub fn choose_lang(
    saved: Option<&str>,
    url_param: Option<&str>,
    config_default: Option<Lang>,
    browser: &[String],
) -> Lang {
    saved
        .and_then(Lang::from_tag)
        .or_else(|| url_param.and_then(Lang::from_tag))
        .or(config_default)
        .or_else(|| browser.iter().find_map(|tag| Lang::from_tag(tag)))
        .unwrap_or_default()
}

macro_rules! catalogue {
    ($($key:ident => $zh:expr, $en:expr;)*) => {
        /// A UI string. Every key has a Chinese and an English text by construction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($key,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $(Msg::$key => $zh,)* },
                    Lang::En => match self { $(Msg::$key => $en,)* },
                }
            }
        }
    };
}

catalogue! {
    AppTitle => "新泾安全随手报", "Xinjing Safety";
    AppTagline => "看安全提示，随手报隐患", "Safety campaigns and hazard reports";
    AppNoSignal => "没有网络连接，报告页面还没有打开。网络恢复后会自动打开，也可以再点一次。急事请拨打 12345。", "No connection: the report form has not opened yet. It opens when the signal is back, or tap again. If it is urgent, call 12345.";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "Switch to English", "切换到中文";
    LargeText => "长辈模式", "Large text";
    EmergencyHeading => "紧急情况请直接拨打电话", "Emergency? Call now";
    Call119 => "火警 119", "Fire 119";
    Call110 => "报警 110", "Police 110";
    Call12345 => "热线 12345", "Hotline 12345";
    CallHint => "如点击无法直接拨号，请长按号码复制后拨打。", "If tapping does not dial, press and hold a number to copy it.";
    EmergencyNote => "本页面不是紧急求助渠道。起火、冒烟或有人身危险，请立即拨打 119 或 110；其他问题也可拨打 12345 市民服务热线。", "This page is not an emergency channel. For fire, smoke or danger to people call 119 or 110 now; for other matters you can also call the 12345 citizen hotline.";
    NavLabel => "主要栏目", "Main sections";
    TabCampaigns => "安全提示", "Campaigns";
    TabReport => "我要报告", "Report";
    TabMine => "我的报告", "My reports";
    WaitingBadge => "{n} 条待发送", "{n} waiting to send";
    CampaignsHeading => "当前安全整治", "What the town asks now";
    NoActiveCampaigns => "目前没有进行中的专项整治。发现安全隐患，仍可随时报告。", "No campaign is running right now. You can still report a hazard at any time.";
    FeedStale => "暂时无法更新，显示的是 {date} 保存的内容。", "Could not update; showing what was saved on {date}.";
    FeedBundled => "暂时无法更新，显示的是内置的安全提示。", "Could not update; showing the built-in campaigns.";
    ReadMore => "查看详情", "Read more";
    ReportThis => "报告此类隐患", "Report this";
    Back => "返回", "Back";
    DetailRule => "要求", "The rule";
    DetailWhy => "为什么", "Why";
    DetailInstead => "应该怎么做", "What to do instead";
    DetailIfNot => "不遵守会怎样", "If the rule is not kept";
    DetailSource => "依据", "Source";
    DetailPeriod => "时间：{start} 至 {end}", "Runs {start} to {end}";
    FormHeading => "报告安全隐患", "Report a hazard";
    FormIntro => "约一分钟即可完成。默认匿名。", "Takes about a minute. Anonymous unless you choose otherwise.";
    FieldCategory => "隐患类型", "Type of hazard";
    ChooseOne => "请选择", "Choose…";
    DangerNow => "正在起火、冒烟或有危险", "Fire, smoke or danger right now";
    DangerTitle => "请立即打电话，不要在这里报告", "Call now. Do not report it here";
    DangerText => "先离开危险区域，提醒邻居，再拨打：", "Get away from the danger, warn your neighbours, then call:";
    FieldCommunity => "居民区", "Residential area";
    FieldBuilding => "楼号 / 单元", "Building / entrance";
    FieldSpot => "楼层或具体位置", "Floor or exact spot";
    SpotHint => "例如：3 楼楼道、地下车库入口", "e.g. 3rd-floor corridor, garage entrance";
    FieldDescription => "情况描述", "What did you see?";
    DescriptionHint => "5–1000 字。例如：2 号楼 3 楼楼道停着电动车在充电。", "5–1000 characters. e.g. An e-bike is charging in the 3rd-floor corridor of building 2.";
    CharCount => "{n} / 1000 字", "{n} / 1000 characters";
    FieldPhotos => "照片（选填，最多 3 张）", "Photos (optional, up to 3)";
    PhotoNote => "照片会在手机上重新压缩，并删除位置（GPS）等拍摄信息。", "Photos are re-compressed on your phone; location (GPS) and camera data are removed.";
    PhotoSlot => "照片 {n}", "Photo {n}";
    PhotoAdd => "添加照片 {n}", "Add photo {n}";
    PhotoRemove => "删除照片 {n}", "Remove photo {n}";
    PhotoWorking => "正在处理照片…", "Preparing photo…";
    PhotoCancel => "取消照片 {n}", "Cancel photo {n}";
    PhotoFailed => "这张照片无法读取（可能是 HEIC 等格式）。请换一张，或截图后再上传。", "This photo could not be read (it may be HEIC). Choose another, or upload a screenshot of it.";
    ContactHeading => "联系方式（选填）", "Contact (optional)";
    ContactConsent => "我同意把称呼和手机号提供给{controller}，仅用于核实和答复本次报告。", "I agree to give my name and mobile number to {controller}, only to check and answer this report.";
    ContactAnonymous => "不勾选则匿名报告，不会发送任何联系方式。", "If you leave this unticked, the report is anonymous and no contact details are sent.";
    FieldName => "称呼（选填）", "Name (optional)";
    FieldPhone => "手机号", "Mobile number";
    RememberContact => "在这部手机上记住我的联系方式", "Remember my contact on this phone";
    PrivacyHeading => "隐私说明", "Privacy";
    PrivacyText => "报告由{controller}接收，用于{purpose}，保存期限：{retention}。如有疑问请联系：{contact}。", "Reports are received by {controller} for {purpose} and kept for {retention}. Questions: {contact}.";
    Submit => "提交报告", "Send report";
    Saving => "正在保存…", "Saving…";
    ErrorSummary => "请检查标出的项目", "Please check the marked fields";
    SavedTitle => "已保存在本机，尚未发送", "Saved on this phone, not sent yet";
    SavedText => "有网络时会自动发送，不会丢失。可在“我的报告”中查看。", "It will be sent automatically when there is a connection; it will not be lost. See “My reports”.";
    ReceivedTitle => "已受理", "Received";
    TicketLabel => "工单号", "Ticket number";
    CopyTicket => "复制工单号", "Copy ticket number";
    Copied => "已复制", "Copied";
    ReceivedText => "可在“我的报告”中查看处理进度。", "Follow its progress in “My reports”.";
    NewReport => "再报告一个", "Report another";
    OutboxHeading => "尚未发送", "Not sent yet";
    SendNow => "立即发送", "Send now";
    Sending => "正在发送…", "Sending…";
    NextTry => "将于 {time} 自动重试", "Will retry automatically at {time}";
    RejectedBy => "未被受理：{message}", "Not accepted: {message}";
    ServerFault => "接收方的回应不正常（可能是设置有误），报告仍保存在本机，会稍后重试。如一直如此，请拨打 12345。", "The receiving server answered wrongly (it may be misconfigured). The report stays on this phone and will be retried. If this goes on, call 12345.";
    EditResend => "修改后重新发送", "Edit and resend";
    Delete => "删除", "Delete";
    ConfirmDelete => "确定删除这条尚未发送的报告吗？删除后无法恢复。", "Delete this unsent report? This cannot be undone.";
    SetAside => "有 {n} 条保存的报告无法读取（可能来自旧版本），已单独保留在本机，未删除。请拨打 12345 反映。", "{n} saved report(s) could not be read (perhaps from an older version); they are kept aside on this phone, not deleted. Please call 12345 about them.";
    MineHeading => "已受理的报告", "Received reports";
    MineEmpty => "还没有已受理的报告。", "No received reports yet.";
    MineNote => "这些记录只保存在这部手机上。", "These records are kept on this phone only.";
    StatusUnknown => "已提交", "Submitted";
    UpdatedAt => "更新于 {time}", "Updated {time}";
    RefreshStatus => "刷新处理进度", "Refresh status";
    SatisfiedQuestion => "您对处理结果满意吗？", "Were you satisfied with how it was handled?";
    Satisfied => "满意", "Satisfied";
    NotSatisfied => "不满意", "Not satisfied";
    FeedbackThanks => "感谢您的评价：{answer}", "Thank you for your feedback: {answer}";
    FeedbackFailed => "评价未能发送，请稍后再试。", "Your feedback could not be sent; please try again later.";
    PublicNote => "处理说明：", "Committee's note: ";
    MergedInto => "合并至 {ticket}", "Merged into {ticket}";
    History => "处理记录", "History";
    Reopened => "重办", "Reopened";
    ProgressDispatched => "已转交{unit}处理，要求 {due}前整改完毕", "Passed to the {unit}, due {due}";
    ProgressDispatchedNoDue => "已转交{unit}处理", "Passed to the {unit}";
    ProgressChecked => "已整改，社区已复查", "Fixed, checked by the committee";
    AfterPhoto => "整改后照片", "Photo after the fix";
    UnitProperty => "物业公司", "property company";
    UnitEnforcement => "综合行政执法队", "enforcement team";
    UnitPower => "供电公司", "power company";
    UnitCommittee => "居委会", "neighbourhood committee";
    UnitPolice => "派出所", "police station";
    UnitOther => "相关单位", "unit in charge";
    FieldComment => "您的意见（选填）", "Your comment (optional)";
    CommentCount => "{n} / {max} 字", "{n} / {max} characters";
    SendFeedback => "提交评价", "Send feedback";
    SimilarOne => "附近已有 {n} 条类似报告正在处理：{tickets}。", "{n} similar report here is being handled: {tickets}. ";
    SimilarMany => "附近已有 {n} 条类似报告正在处理：{tickets}。", "{n} similar reports here are being handled: {tickets}. ";
    SimilarCount => "附近已有 {n} 条类似报告正在处理。", "{n} similar reports here are being handled. ";
    SimilarStillSend => "您仍可提交本报告。", "You can still send yours.";
    ClearData => "清除本机数据", "Clear my data on this phone";
    ClearDataScope => "清除的是本页面在这个浏览器里保存的数据。如果本页面嵌在别的网站或公众号页面里，浏览器可能为每个所在网站分开保存：在那里打开时保存的数据，要在那里再清除一次。", "This clears what this page keeps in this browser. When the page is embedded in another site, the browser may keep a separate store for each site it is embedded in: what was kept while it was opened there has to be cleared there too.";
    ClearDataConfirm => "将删除草稿、我的报告记录和记住的联系方式。确定吗？", "This removes drafts, your report history and your remembered contact. Continue?";
    ClearDataUnsent => "还有 {n} 条报告尚未发送，清除后将无法发送。仍要清除吗？", "{n} report(s) have not been sent yet and would be lost. Clear anyway?";
    DataCleared => "已清除本机数据", "Data on this phone has been cleared";
    StorageUnavailable => "这部手机无法保存报告（可能处于无痕模式或存储已满），因此无法离线保存。请在有网络时提交，或复制报告内容后拨打 12345。", "This phone cannot save reports (private mode or full storage), so they cannot be kept offline. Send while online, or copy the report text and call 12345.";
    CopyReport => "复制报告内容", "Copy report text";
    SendFailedNoStorage => "发送失败，且无法保存在本机。请复制报告内容后拨打 12345。", "Sending failed and the report could not be saved on this phone. Copy the report text and call 12345.";
    ConfigBroken => "本页面的配置有误，暂时无法在线报告。请拨打 12345 市民服务热线。", "This page is misconfigured, so reports cannot be sent online. Please call the 12345 citizen hotline.";
    Loading => "正在加载…", "Loading…";
    CrashTitle => "出了点问题", "Something went wrong";
    CrashText => "已保存在这部手机上的报告不会丢失。请重新加载页面。", "Reports saved on this phone are safe. Please reload the page.";
    Reload => "重新加载", "Reload";
    DemoHeading => "演示控制（模拟后台）", "Demo controls (mock backend)";
    DemoNote => "演示模式：报告只保存在本机的模拟后台，不会发送到任何地方。", "Demo mode: reports go to a mock backend on this device and are not sent anywhere.";
    DemoOffline => "模拟断网", "Simulate offline";
    DemoServerErrors => "模拟服务器故障", "Simulate server errors";
    DemoCommittee => "居委会收到的报告", "What the neighbourhood committee receives";
    DemoCommitteeEmpty => "模拟后台还没有收到报告。", "The mock backend has received no reports yet.";
    DemoContactNone => "匿名", "Anonymous";
    DemoPhotoAlt => "居民上传的照片 {n}", "Resident's photo {n}";
}

/// Fills `{name}` placeholders; unknown names stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}'))
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    #[test]
    fn every_key_has_two_nonempty_texts_with_the_same_placeholders() {
        for msg in Msg::ALL {
            let (zh, en) = (msg.text(Lang::Zh), msg.text(Lang::En));
            assert!(!zh.trim().is_empty(), "{msg:?} has no Chinese text");
            assert!(!en.trim().is_empty(), "{msg:?} has no English text");
            assert_eq!(
                placeholders(zh),
                placeholders(en),
                "{msg:?} placeholders differ"
            );
        }
    }

    #[test]
    fn chinese_texts_are_chinese() {
        // A key copied without translating shows English to a Chinese-only reader: every
        // Chinese text has CJK characters, and no English text has any (bar the language
        // switch, which names the other language in its own script).
        let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        let untranslated: Vec<_> = Msg::ALL
            .iter()
            .filter(|m| !matches!(m, Msg::SwitchLanguage | Msg::SwitchLanguageLabel))
            .filter(|m| {
                !m.text(Lang::Zh).chars().any(is_cjk) || m.text(Lang::En).chars().any(is_cjk)
            })
            .collect();
        assert!(untranslated.is_empty(), "{untranslated:?}");
    }

    #[test]
    fn language_choice_order() {
        let browser = vec!["en-US".to_owned(), "zh-CN".to_owned()];
        assert_eq!(
            choose_lang(Some("zh-CN"), Some("en"), Some(Lang::En), &browser),
            Lang::Zh
        );
        assert_eq!(
            choose_lang(None, Some("en"), Some(Lang::Zh), &browser),
            Lang::En
        );
        assert_eq!(
            choose_lang(None, Some("fr"), Some(Lang::Zh), &browser),
            Lang::Zh
        );
        assert_eq!(choose_lang(None, None, None, &browser), Lang::En);
        assert_eq!(choose_lang(None, None, None, &["fr".to_owned()]), Lang::Zh);
        assert_eq!(choose_lang(Some("garbage"), None, None, &[]), Lang::Zh);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(fill("{n} / {max}", &[("n", "3"), ("max", "9")]), "3 / 9");
        assert_eq!(fill("{x}", &[]), "{x}");
    }
}

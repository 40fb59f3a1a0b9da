//! The published definitions of the figures, in Chinese and English, as the stats page
//! shows them (one click away) and the README repeats them.

/// One figure: its name and how it is counted.
pub struct Definition {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub zh_text: &'static str,
    pub en_text: &'static str,
}

pub const DEFINITIONS: [Definition; 10] = [
    Definition {
        key: "responded",
        zh: "响应率",
        en: "Responded on time",
        zh_text: "本期收到的报告中，首次处理（状态变更，含公开说明）在首次响应时限内的比例。仍在时限内等待的报告暂不计入。",
        en_text: "Of the reports received in the period, the share whose first staff action (a change of state, with its public note) came within the first-response time. Reports still inside that time are not counted yet.",
    },
    Definition {
        key: "closed",
        zh: "办结率",
        en: "Closed",
        zh_text: "本期收到的报告中，目前已办结（已办结、不予受理或合并为重复）的比例。",
        en_text: "Of the reports received in the period, the share closed now: resolved, not accepted, or merged as a duplicate.",
    },
    Definition {
        key: "solved",
        zh: "解决率",
        en: "Solved",
        zh_text: "已办结的报告中，办结类型为“已解决”的比例（“已解释说明”、不予受理和合并不算解决）。",
        en_text: "Of the closed reports, the share resolved as solved (explained, not accepted and merged do not count as solved).",
    },
    Definition {
        key: "satisfied",
        zh: "满意率",
        en: "Satisfied",
        zh_text: "居民对本期报告的评价中，“满意”所占比例（每次评价都计入）。",
        en_text: "Of the residents' answers on the period's reports, the share that said satisfied (every answer counts).",
    },
    Definition {
        key: "reopened",
        zh: "重办率",
        en: "Reopened",
        zh_text: "曾办结的报告中，至少重办过一次的比例（居民不满意或工作人员重办）。",
        en_text: "Of the reports closed at least once, the share reopened at least once (by a resident not satisfied, or by staff).",
    },
    Definition {
        key: "hours_to_response",
        zh: "首次响应用时（中位数，小时）",
        en: "Hours to first response (median)",
        zh_text: "有首次处理的报告，从收到到首次处理的小时数的中位数（按整小时计，不足一小时计 0）。",
        en_text: "The median hours from arrival to the first staff action, over the reports that have one (in whole hours: 59 minutes count as 0).",
    },
    Definition {
        key: "hours_to_resolution",
        zh: "办结用时（中位数，小时）",
        en: "Hours to resolution (median)",
        zh_text: "目前已办结的报告，从收到到最近一次办结的小时数的中位数（按整小时计）。",
        en_text: "The median hours from arrival to the last close, over the reports closed now (in whole hours).",
    },
    Definition {
        key: "overdue",
        zh: "当前超时",
        en: "Overdue now",
        zh_text: "此刻仍未办结且已超时的报告数（不分时段）：超过首次响应时限仍为已受理，或超过办结时限仍未办结，自收到或最近一次重办起算。",
        en_text: "Open reports past their time right now (whatever the period): still received after the first-response time, or open after the resolution time, counted from arrival or the last reopening.",
    },
    Definition {
        key: "on_time_rectification",
        zh: "按时整改率",
        en: "Rectified on time",
        zh_text: "本期结束的派单任务（复查通过或退单）中，处置单位在到期前（含批准的延期、复查不通过后的新期限）回复已整改、且复查通过的比例。按处置单位和问题类别分列。",
        en_text: "Of the dispatch tasks that ended in the period (passed on review, or given back), the share the handling unit answered done before its due time (as moved by a granted extension or a failed review) and that passed review. Per handling unit and per category.",
    },
    Definition {
        key: "relapses",
        zh: "复发",
        en: "Relapses",
        zh_text: "本期“回头看”复查中，发现隐患复发（另开关联新工单）的次数及其占复查次数的比例。",
        en_text: "Of the second looks (回头看) made in the period, those that found the hazard back (each opens a new linked report), and their share of the checks.",
    },
];

/// The definition of `key`.
pub fn definition(key: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.key == key)
}

/// "–" with the count, or the rate to one decimal: what a guarded figure shows.
pub fn guarded_percent(rate: Option<f64>, count: i64) -> String {
    match rate {
        Some(p) => format!("{p:.1}%"),
        None => format!("– (n={count})"),
    }
}

//! Reading column names: words in English and Chinese that say what a
//! column holds, as exports name them (`idfs_months`, `OS.time`,
//! `followUpDays`, `随访时间(月)`).

/// The words of a column name, lower case: split at anything that is not a
/// letter or digit, at a change from lower to upper case (`followUp`), and
/// between letters and digits. Chinese text stays one word per run.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            flush(&mut cur, &mut out);
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let case_break = p.is_lowercase() && c.is_uppercase();
            let digit_break = p.is_ascii_digit() != c.is_ascii_digit();
            let script_break = p.is_ascii() != c.is_ascii();
            if case_break || digit_break || script_break {
                flush(&mut cur, &mut out);
            }
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    flush(&mut cur, &mut out);
    out
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
}

/// Whether any word of `name` is one of `english`, or the name contains one
/// of `chinese`.
pub fn named_like(name: &str, english: &[&str], chinese: &[&str]) -> bool {
    which(name, english, chinese).is_some()
}

/// The first word of `english` that `name` has, or the first of `chinese`
/// it contains.
/// The whole name counts as a word too (`pCR` is `pcr`).
pub fn which<'a>(name: &str, english: &[&'a str], chinese: &[&'a str]) -> Option<&'a str> {
    let mut w = words(name);
    w.push(w.concat());
    english
        .iter()
        .find(|e| w.iter().any(|x| x == *e))
        .or_else(|| chinese.iter().find(|c| name.contains(**c)))
        .copied()
}

/// The words of `name` other than those in `drop`, joined: the stem that
/// pairs `idfs_months` with `idfs_event`.
pub fn stem(name: &str, drop: &[&str]) -> String {
    words(name)
        .into_iter()
        .filter(|w| !drop.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join("_")
}

pub const IDENTIFIER: &[&str] = &[
    "id",
    "ids",
    "patient",
    "patients",
    "pid",
    "mrn",
    "record",
    "identifier",
    "subject",
    "case",
    "uid",
    "code",
    "no",
    "nr",
    "number",
    "name",
];
pub const IDENTIFIER_ZH: &[&str] = &[
    "住院号",
    "病案号",
    "病历号",
    "编号",
    "序号",
    "姓名",
    "登记号",
    "门诊号",
    "患者",
];

/// Words of a free-text column, whatever its values look like.
pub const FREE_TEXT: &[&str] = &[
    "comment",
    "comments",
    "note",
    "notes",
    "remark",
    "remarks",
    "description",
    "text",
    "memo",
    "free",
    "details",
    "other",
];
pub const FREE_TEXT_ZH: &[&str] = &["备注", "说明", "描述"];

/// Words of a follow-up time (a survival end point followed by its unit).
pub const TIME: &[&str] = &[
    "time", "times", "month", "months", "mo", "mos", "day", "days", "year", "years", "yr", "yrs",
    "week", "weeks", "futime", "followup", "follow", "fu", "duration", "os", "dfs", "pfs", "idfs",
    "rfs", "efs", "mfs", "dss", "css", "ttp", "survival", "surv", "stime", "survtime", "interval",
];
pub const TIME_ZH: &[&str] = &[
    "时间",
    "随访",
    "月数",
    "天数",
    "年数",
    "生存期",
    "(月)",
    "（月）",
];

/// Words that say a time is a time (the end point left over is the stem).
pub const TIME_UNITS: &[&str] = &[
    "time", "times", "month", "months", "mo", "mos", "day", "days", "year", "years", "yr", "yrs",
    "week", "weeks", "duration", "followup", "follow", "up", "fu", "futime", "stime", "survtime",
    "interval", "to", "length",
];

/// Words of an event indicator.
pub const EVENT: &[&str] = &[
    "event",
    "events",
    "status",
    "death",
    "dead",
    "died",
    "deceased",
    "recurrence",
    "recur",
    "relapse",
    "censor",
    "censored",
    "cens",
    "fustat",
    "progression",
    "progressed",
    "fail",
    "failure",
    "vital",
    "state",
];
pub const EVENT_ZH: &[&str] = &[
    "死亡", "复发", "结局", "状态", "事件", "删失", "进展", "转移",
];

/// Words that say an indicator is an indicator (the rest is the stem).
pub const EVENT_MARKS: &[&str] = &[
    "event",
    "events",
    "status",
    "censor",
    "censored",
    "cens",
    "flag",
    "indicator",
    "ind",
    "e",
    "yn",
    "fustat",
    "stat",
    "state",
];

/// Words of a treatment or exposure.
pub const TREATMENT: &[&str] = &[
    "group",
    "groups",
    "grp",
    "treatment",
    "treat",
    "treated",
    "trt",
    "tx",
    "arm",
    "arms",
    "exposure",
    "exposed",
    "expose",
    "cohort",
    "intervention",
    "allocation",
    "assigned",
    "assignment",
];
pub const TREATMENT_ZH: &[&str] = &["组别", "分组", "组", "治疗", "干预", "暴露"];

/// Words of a binary outcome.
pub const OUTCOME: &[&str] = &[
    "pcr",
    "bpcr",
    "apcr",
    "tpcr",
    "response",
    "responder",
    "remission",
    "complication",
    "complications",
    "death",
    "died",
    "dead",
    "mortality",
    "outcome",
    "success",
    "failure",
    "recurrence",
    "relapse",
    "readmission",
    "infection",
    "leak",
    "fistula",
    "cure",
    "cured",
    "orr",
    "cr",
    "adverse",
    "ae",
];
pub const OUTCOME_ZH: &[&str] = &[
    "缓解",
    "并发症",
    "死亡",
    "结局",
    "疗效",
    "有效",
    "复发",
    "感染",
    "治愈",
];

/// Words of something measured after the treatment started.
pub const AFTER_TREATMENT: &[&str] = &[
    "surgery",
    "surgical",
    "operation",
    "radiotherapy",
    "rt",
    "radiation",
    "adjuvant",
    "postoperative",
    "postop",
    "post",
    "response",
    "recurrence",
    "relapse",
    "complication",
    "complications",
    "discharge",
    "pathologic",
    "pathological",
    "ypt",
    "ypn",
    "followup",
];
pub const AFTER_TREATMENT_ZH: &[&str] = &["术后", "辅助", "放疗", "手术", "复发", "并发症", "出院"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_reader() {
        assert_eq!(words("idfs_months"), ["idfs", "months"]);
        assert_eq!(words("OS.time"), ["os", "time"]);
        assert_eq!(words("followUpDays"), ["follow", "up", "days"]);
        assert_eq!(words("ki67"), ["ki", "67"]);
        assert_eq!(words("随访时间(月)"), ["随访时间", "月"]);
        assert_eq!(words("pCR"), ["p", "cr"]);
        assert_eq!(stem("idfs_months", TIME_UNITS), "idfs");
        assert_eq!(stem("idfs_event", EVENT_MARKS), "idfs");
        assert_eq!(stem("os_status", EVENT_MARKS), "os");
    }
}

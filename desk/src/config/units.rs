//! The handling units (处置单位) a report can be dispatched to, from `[[unit]]` tables, and
//! the default time a unit has to fix a hazard of each category (`[deadlines]`).
//!
//! A unit may have a robot of its own (`robot = { kind = "wecom", url = "…" }`): it hears
//! only of the tasks dispatched to that unit. Its URL and secret are overridable, like the
//! committee's, by `DESK_NOTIFY_UNIT_<ID>_URL` / `_SECRET`.

use super::source::Reader;
pub use super::unit_error::UnitError;
use super::ConfigError;
use crate::notify::config::{unit_channel, Channel};
use std::time::Duration;
use xinjing_contract::report::Category;

/// What kind of body a unit is (its name is the town's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// 物业公司
    Property,
    /// 综合行政执法队
    Enforcement,
    /// 供电公司
    Power,
    /// 居委会
    Committee,
    /// 派出所
    Police,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::Property,
        UnitKind::Enforcement,
        UnitKind::Power,
        UnitKind::Committee,
        UnitKind::Police,
        UnitKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Property => "property",
            UnitKind::Enforcement => "enforcement",
            UnitKind::Power => "power",
            UnitKind::Committee => "committee",
            UnitKind::Police => "police",
            UnitKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What the kind is called (also in the resident's progress: no person is named).
    pub fn name_zh(self) -> &'static str {
        match self {
            UnitKind::Property => "物业公司",
            UnitKind::Enforcement => "综合行政执法队",
            UnitKind::Power => "供电公司",
            UnitKind::Committee => "居委会",
            UnitKind::Police => "派出所",
            UnitKind::Other => "其他单位",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            UnitKind::Property => "property company",
            UnitKind::Enforcement => "enforcement team",
            UnitKind::Power => "power company",
            UnitKind::Committee => "neighbourhood committee",
            UnitKind::Police => "police station",
            UnitKind::Other => "other unit",
        }
    }
}

/// The channel name of a unit's own robot.
pub fn unit_channel_name(id: &str) -> String {
    format!("unit-{id}")
}

/// The channel name of the town's robot (`town_robot`).
pub const TOWN_CHANNEL: &str = "town";

/// One handling unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Short, stable: names the unit in accounts, tasks and environment variables.
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// The areas it serves (`None`: every one).
    pub communities: Option<Vec<String>>,
    /// Its own robot, if it has one.
    pub channel: Option<Channel>,
}

impl Unit {
    pub fn serves(&self, community: &str) -> bool {
        self.communities
            .as_ref()
            .is_none_or(|list| list.iter().any(|c| c == community))
    }
}

/// The default time to fix a hazard, per category (the form's due time starts here).
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlines {
    pub by_category: Vec<(Category, Duration)>,
    /// Categories not listed.
    pub otherwise: Duration,
}

impl Deadlines {
    pub fn for_category(&self, code: &str) -> Duration {
        self.by_category
            .iter()
            .find(|(c, _)| c.code() == code)
            .map_or(self.otherwise, |(_, d)| *d)
    }
}

const HOUR: u64 = 3600;

/// The town's rules for the commonest fire hazards: a cable out of a window is cut within
/// a day, private rewiring within two, an e-bike in the stairwell moved within three.
fn default_deadlines() -> Vec<(Category, Duration)> {
    vec![
        (Category::FlyingLineCharging, Duration::from_secs(24 * HOUR)),
        (Category::PrivateRewiring, Duration::from_secs(48 * HOUR)),
        (Category::EbikeInStairwell, Duration::from_secs(72 * HOUR)),
    ]
}

fn text(table: &toml::Table, field: &str) -> Option<String> {
    table
        .get(field)
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_unit(
    table: &toml::Table,
    known: Option<&[String]>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Unit, UnitError> {
    for field in table.keys() {
        if !["id", "name", "kind", "communities", "robot"].contains(&field.as_str()) {
            return Err(UnitError::UnknownField(field.clone()));
        }
    }
    let id = text(table, "id").unwrap_or_default();
    if !valid_id(&id) {
        return Err(UnitError::BadId(id));
    }
    let name = text(table, "name").ok_or_else(|| UnitError::NoName(id.clone()))?;
    let kind_text = text(table, "kind").unwrap_or_default();
    let kind = UnitKind::from_code(&kind_text).ok_or_else(|| UnitError::UnknownKind {
        unit: id.clone(),
        kind: kind_text,
    })?;
    let communities = match table.get("communities") {
        None => None,
        Some(toml::Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(|s| s.trim().to_owned()))
                .collect::<Option<Vec<_>>>()
                .filter(|list| list.iter().all(|c| !c.is_empty()))
                .ok_or_else(|| UnitError::Communities(id.clone()))?,
        ),
        Some(_) => return Err(UnitError::Communities(id)),
    };
    if let (Some(list), Some(known)) = (&communities, known.filter(|k| !k.is_empty())) {
        if let Some(stranger) = list.iter().find(|c| !known.contains(c)) {
            return Err(UnitError::UnknownCommunity {
                unit: id,
                community: stranger.clone(),
            });
        }
    }
    let channel = match table.get("robot") {
        None => None,
        Some(value) => Some(
            unit_channel(value, &format!("unit-{id}"), env).map_err(|error| UnitError::Robot {
                unit: id.clone(),
                error,
            })?,
        ),
    };
    Ok(Unit {
        id,
        name,
        kind,
        communities,
        channel,
    })
}

/// The units (`unit`), the deadlines (`deadlines`, `dispatch_hours`) and the top of the
/// escalation ladder (`town_robot`, `escalate_town_hours`).
pub struct Dispatching {
    pub units: Vec<Unit>,
    pub deadlines: Deadlines,
    pub town: Option<Channel>,
    pub town_after: Duration,
    /// The committee's time to act on a task given back (退单).
    pub return_after: Duration,
}

impl Dispatching {
    /// The units' robots and the town's hear only what is written for them; the notifier
    /// serves them beside the committee's channels.
    pub(super) fn robots_into(&self, notify: &mut crate::notify::config::NotifyConfig) {
        notify.units = self
            .units
            .iter()
            .filter_map(|u| u.channel.clone())
            .collect();
        notify.units.extend(self.town.clone());
        notify.town_after_ms = self.town_after.as_millis() as i64;
        notify.return_after_ms = self.return_after.as_millis() as i64;
    }
}

pub(super) fn read(
    reader: &Reader,
    communities: Option<&[String]>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Dispatching, ConfigError> {
    let fail = |key: &str, error: UnitError| reader.fail_with(key, error);
    let tables: Vec<&toml::Table> = match reader.toml("unit") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_table().ok_or(UnitError::NotTables))
            .collect::<Result<_, _>>()
            .map_err(|e| fail("unit", e))?,
        Some(_) => return Err(fail("unit", UnitError::NotTables)),
    };
    let mut units: Vec<Unit> = Vec::new();
    for table in tables {
        let unit = parse_unit(table, communities, env).map_err(|e| fail("unit", e))?;
        if units.iter().any(|u| u.id == unit.id) {
            return Err(fail("unit", UnitError::SameId(unit.id)));
        }
        units.push(unit);
    }
    let otherwise = Duration::from_secs(HOUR * reader.number("dispatch_hours", 72, 1, 8760)?);
    let mut by_category = default_deadlines();
    match reader.toml("deadlines") {
        None => {}
        Some(toml::Value::Table(table)) => {
            for (code, hours) in table {
                let category = Category::from_code(code)
                    .ok_or_else(|| fail("deadlines", UnitError::UnknownCategory(code.clone())))?;
                let hours = hours
                    .as_integer()
                    .filter(|h| (1..=8760).contains(h))
                    .ok_or_else(|| fail("deadlines", UnitError::Hours(code.clone())))?;
                by_category.retain(|(c, _)| *c != category);
                by_category.push((category, Duration::from_secs(HOUR * hours as u64)));
            }
        }
        Some(_) => {
            return Err(reader.fail(
                "deadlines",
                "expected a table: [deadlines] followed by category = hours",
            ))
        }
    }
    let town = match reader.toml("town_robot") {
        None => None,
        Some(value) => Some(unit_channel(value, TOWN_CHANNEL, env).map_err(|error| {
            let unit = TOWN_CHANNEL.to_owned();
            fail("town_robot", UnitError::Robot { unit, error })
        })?),
    };
    let town_after = Duration::from_secs(HOUR * reader.number("escalate_town_hours", 24, 1, 8760)?);
    let return_after = Duration::from_secs(HOUR * reader.number("return_hours", 24, 1, 8760)?);
    Ok(Dispatching {
        return_after,
        units,
        deadlines: Deadlines {
            by_category,
            otherwise,
        },
        town,
        town_after,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;
    use std::time::Duration;

    fn load(toml: &str, env: &[(&str, &str)]) -> Result<Config, crate::config::ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::from_sources(Some((Path::new("desk.toml"), toml)), &lookup)
    }

    const TWO: &str = r#"
        communities = ["新泾一村", "新泾二村"]
        [[unit]]
        id = "xinkai"
        name = "新凯物业"
        kind = "property"
        communities = ["新泾一村"]
        robot = { kind = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" }
        [[unit]]
        id = "zhifa"
        name = "新泾镇综合行政执法队"
        kind = "enforcement"
    "#;

    #[test]
    fn units_with_their_areas_and_robots() {
        let config = load(
            TWO,
            &[(
                "DESK_NOTIFY_UNIT_XINKAI_URL",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-env",
            )],
        )
        .unwrap();
        let [xinkai, zhifa] = config.units.as_slice() else {
            panic!("{:?}", config.units)
        };
        assert_eq!(
            (xinkai.id.as_str(), xinkai.name.as_str()),
            ("xinkai", "新凯物业")
        );
        assert!(xinkai.serves("新泾一村") && !xinkai.serves("新泾二村"));
        assert!(zhifa.serves("新泾二村") && zhifa.channel.is_none());
        let robot = xinkai.channel.as_ref().unwrap();
        assert_eq!(robot.name, "unit-xinkai");
        assert!(robot.url.ends_with("key=from-env"));
        // The committee's robots are not the unit's.
        assert!(config.notify.channels.is_empty());
        // The town's deadlines, and the default for the rest.
        let d = &config.deadlines;
        assert_eq!(
            d.for_category("flying_line_charging"),
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(
            d.for_category("ebike_in_stairwell"),
            Duration::from_secs(72 * 3600)
        );
        assert_eq!(
            d.for_category("private_rewiring"),
            Duration::from_secs(48 * 3600)
        );
        assert_eq!(d.for_category("other"), Duration::from_secs(72 * 3600));
    }

    #[test]
    fn deadlines_from_the_file() {
        let config = load(
            "dispatch_hours = 96\n[deadlines]\nflying_line_charging = 12\nblocked_fire_escape = 6\n",
            &[],
        )
        .unwrap();
        let d = &config.deadlines;
        assert_eq!(
            d.for_category("flying_line_charging"),
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(
            d.for_category("blocked_fire_escape"),
            Duration::from_secs(6 * 3600)
        );
        assert_eq!(d.for_category("other"), Duration::from_secs(96 * 3600));
    }

    #[test]
    fn a_bad_unit_names_its_key_its_file_and_what_is_wrong() {
        for (toml, says) in [
            ("[[unit]]\nid = \"Big Unit\"\nname = \"x\"\nkind = \"other\"", "lower-case"),
            ("[[unit]]\nid = \"a\"\nkind = \"other\"", "needs a name"),
            ("[[unit]]\nid = \"a\"\nname = \"x\"\nkind = \"fire\"", "\"fire\""),
            ("[[unit]]\nid = \"a\"\nname = \"x\"\nkind = \"other\"\ncolour = 1", "colour"),
            (
                "[[unit]]\nid = \"a\"\nname = \"x\"\nkind = \"other\"\n[[unit]]\nid = \"a\"\nname = \"y\"\nkind = \"police\"",
                "two units",
            ),
            (
                "communities = [\"甲村\"]\n[[unit]]\nid = \"a\"\nname = \"x\"\nkind = \"other\"\ncommunities = [\"乙村\"]",
                "乙村",
            ),
            (
                "[[unit]]\nid = \"a\"\nname = \"x\"\nkind = \"other\"\nrobot = { kind = \"wecom\", url = \"http://example.cn/?key=hidden\" }",
                "https://",
            ),
            ("unit = \"xinkai\"", "[[unit]]"),
        ] {
            let e = load(toml, &[]).unwrap_err();
            assert_eq!(e.key(), "unit", "{toml}");
            let text = e.to_string();
            assert!(text.contains(says) && text.contains("desk.toml"), "{text}");
            assert!(!text.contains("hidden"), "{text}");
        }
        let e = load("[deadlines]\nflying = 24", &[]).unwrap_err();
        assert_eq!(e.key(), "deadlines");
        assert!(e.to_string().contains("flying"), "{e}");
        let e = load("[deadlines]\nother = 0", &[]).unwrap_err();
        assert_eq!(e.key(), "deadlines");
    }
}

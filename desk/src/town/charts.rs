//! Trend charts drawn on the server as SVG (no script, no inline style: the staff pages'
//! CSP), each with a title and a description for screen readers, and the same numbers in
//! a table beside it.

use maud::{html, Markup};

/// One line of a chart: a value per point (`None`: not shown, e.g. below the guard).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
    /// The CSS class that colours it (`s1`…`s4`).
    pub class: &'static str,
}

pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    /// The label of each point (a week or a month).
    pub labels: Vec<String>,
    pub series: Vec<Series<'a>>,
    /// The top of the scale (100 for rates), or `None`: the largest value.
    pub max: Option<f64>,
    /// Appended to table values ("%" for rates).
    pub unit: &'a str,
    /// The table's first column's heading.
    pub axis: &'a str,
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Chart<'_> {
    fn top(&self) -> f64 {
        let largest = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0f64, |a, b| a.max(*b));
        self.max.unwrap_or(largest).max(1.0)
    }

    fn x(&self, i: usize) -> f64 {
        let n = self.labels.len().max(2) - 1;
        LEFT + (W - LEFT - RIGHT) * i as f64 / n as f64
    }

    fn y(&self, v: f64) -> f64 {
        TOP + (H - TOP - BOTTOM) * (1.0 - v / self.top())
    }

    /// The lines' points, split where a value is missing.
    fn segments(&self, s: &Series) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => current.push(format!("{:.1},{:.1}", self.x(i), self.y(*v))),
                None if !current.is_empty() => out.push(std::mem::take(&mut current).join(" ")),
                None => {}
            }
        }
        if !current.is_empty() {
            out.push(current.join(" "));
        }
        out
    }

    pub fn render(&self) -> Markup {
        let top = self.top();
        let ticks: Vec<f64> = (0..=4).map(|i| top * i as f64 / 4.0).collect();
        let every = self.labels.len().div_ceil(6).max(1);
        let title_id = format!("{}-title", self.id);
        let desc_id = format!("{}-desc", self.id);
        html! {
            figure.chart {
                svg viewBox={ "0 0 " (W) " " (H) } role="img"
                    aria-labelledby={ (title_id) " " (desc_id) } {
                    title id=(title_id) { (self.title) }
                    desc id=(desc_id) { (self.desc) }
                    @for t in &ticks {
                        line.grid x1=(LEFT) x2=(W - RIGHT) y1=(self.y(*t)) y2=(self.y(*t)) {}
                        text.tick x=(LEFT - 6.0) y=(self.y(*t) + 4.0) text-anchor="end" { (fmt(*t)) }
                    }
                    @for (i, label) in self.labels.iter().enumerate() {
                        @if i % every == 0 || i + 1 == self.labels.len() {
                            text.tick x=(self.x(i)) y=(H - BOTTOM + 18.0) text-anchor="middle" { (label) }
                        }
                    }
                    @for s in &self.series {
                        @for points in self.segments(s) {
                            polyline class={ "line " (s.class) } points=(points) {}
                        }
                        @for (i, v) in s.values.iter().enumerate() {
                            @if let Some(v) = v {
                                circle class={ "dot " (s.class) } cx=(format!("{:.1}", self.x(i))) cy=(format!("{:.1}", self.y(*v))) r="3" {}
                            }
                        }
                    }
                }
                figcaption {
                    ul.legend {
                        @for s in &self.series {
                            li { span class={ "swatch " (s.class) } aria-hidden="true" {} (s.name) }
                        }
                    }
                }
            }
            div.scroll {
                table {
                    caption.sr-only { (self.title) }
                    thead {
                        tr {
                            th scope="col" { (self.axis) }
                            @for s in &self.series { th scope="col" { (s.name) } }
                        }
                    }
                    tbody {
                        @for (i, label) in self.labels.iter().enumerate() {
                            tr {
                                th scope="row" { (label) }
                                @for s in &self.series {
                                    td {
                                        @match s.values.get(i).copied().flatten() {
                                            Some(v) => { (fmt(v)) (self.unit) }
                                            None => "–",
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_its_title_description_and_numbers_in_a_table() {
        let chart = Chart {
            id: "weekly",
            title: "每周收到",
            desc: "最近 3 周",
            labels: vec!["11-23".into(), "11-30".into(), "12-07".into()],
            series: vec![Series {
                name: "收到",
                values: vec![Some(2.0), None, Some(5.0)],
                class: "s1",
            }],
            max: None,
            unit: "",
            axis: "周",
        };
        let html = chart.render().into_string();
        assert!(html.contains(r#"aria-labelledby="weekly-title weekly-desc""#));
        assert!(html.contains("<title id=\"weekly-title\">每周收到</title>"));
        assert!(html.contains("<td>2</td>") && html.contains("<td>–</td>"));
        // A missing point breaks the line: two polylines of one point each.
        assert_eq!(html.matches("<polyline").count(), 2);
        assert!(!html.contains("style="), "no inline style under the CSP");
    }
}

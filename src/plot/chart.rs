//! Drawing charts with plotters, as PNG and SVG, with an embedded font.
//!
//! Charts are described as data ([`LineChart`], [`BarChart`],
//! [`ScatterChart`]) and drawn by
//! one function per kind, generic over the backend so the PNG and the SVG
//! show the same thing. Text is drawn with DejaVu Sans compiled into the
//! binary (the `dejavu` crate, registered with plotters' ab_glyph renderer):
//! a fresh machine without fontconfig or system fonts draws identical charts.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (960, 540);

/// Colour-blind-safe palette (Okabe–Ito), in series order.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
];

static FONTS: Once = Once::new();

/// Registers the embedded font for plotters' "sans-serif" family (once).
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The font bytes are compiled in and valid; a failure would be a
        // packaging bug, and charts would then fail with a clear error.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// One line, with an optional band (x, low, high) drawn under it.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub band: Vec<(f64, f64, f64)>,
}

/// Lines against a numeric x axis.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Horizontal reference lines (an SLO), with their legend text.
    pub thresholds: Vec<(String, f64)>,
    /// Draw points as well as lines (sweeps have few x values).
    pub markers: bool,
    /// Start the y axis at 0 (counts, ratios).
    pub y_from_zero: bool,
}

/// Bars over labelled categories (a histogram), each with its count on top.
#[derive(Clone, Debug, Default)]
pub struct BarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub bars: Vec<(String, u64)>,
}

/// One point of a scatter chart with its 95% intervals on each axis.
#[derive(Clone, Debug, Default)]
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    pub x_ci: Option<(f64, f64)>,
    pub y_ci: Option<(f64, f64)>,
}

/// Points in named groups, a frontier line through some of them, reference
/// lines and one highlighted point: a sweep's trade-off between two figures.
#[derive(Clone, Debug, Default)]
pub struct ScatterChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub groups: Vec<(String, Vec<ScatterPoint>)>,
    /// Drawn in x order, with its legend text.
    pub frontier: (String, Vec<(f64, f64)>),
    pub thresholds: Vec<(String, f64)>,
    pub highlight: Option<(String, (f64, f64))>,
}

pub enum Chart {
    Line(LineChart),
    Bar(BarChart),
    Scatter(ScatterChart),
}

fn err<E: std::fmt::Debug>(e: E) -> io::Error {
    io::Error::other(format!("drawing a chart: {e:?}"))
}

fn range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// Tick labels without trailing zeros: `4`, `0.25`, `1500`.
fn tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = crate::metrics::float::fixed(*v, 3);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The corner whose region (35% of the width, 30% of the height) holds the
/// fewest data points, so the legend hides as little as possible.
fn legend_corner(points: &[(f64, f64)], x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let inside = |px: f64, py: f64, right: bool, upper: bool| {
        let fx = (px - x.0) / (x.1 - x.0);
        let fy = (py - y.0) / (y.1 - y.0);
        (if right { fx > 0.65 } else { fx < 0.35 }) && (if upper { fy > 0.7 } else { fy < 0.3 })
    };
    let mut best = (usize::MAX, SeriesLabelPosition::UpperRight);
    for (pos, right, upper) in corners {
        let n = points
            .iter()
            .filter(|p| inside(p.0, p.1, right, upper))
            .count();
        if n < best.0 {
            best = (n, pos);
        }
    }
    best.1
}

fn draw_line<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &LineChart) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let xs = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x0, x1) = range(xs, false);
    let ys = c
        .series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.1)
                .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
        })
        .chain(c.thresholds.iter().map(|t| t.1));
    let (y0, y1) = range(ys, c.y_from_zero);
    let mut chart = plane(root, &c.title, (&c.x_label, &c.y_label), (x0, x1), (y0, y1))?;
    for (i, s) in c.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if !s.band.is_empty() {
            let mut poly: Vec<(f64, f64)> = s.band.iter().map(|b| (b.0, b.2)).collect();
            poly.extend(s.band.iter().rev().map(|b| (b.0, b.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
        let style = color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), style))
            .map_err(err)?
            .label(&s.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
        if c.markers {
            chart
                .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(err)?;
        }
    }
    draw_thresholds(&mut chart, &c.thresholds, (x0, x1))?;
    if c.series.len() + c.thresholds.len() > 1 || c.series.iter().any(|s| !s.name.is_empty()) {
        let points: Vec<(f64, f64)> = c.series.iter().flat_map(|s| s.points.clone()).collect();
        draw_legend(&mut chart, &points, (x0, x1), (y0, y1))?;
    }
    root.present().map_err(err)
}

type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Numeric axes over `x` and `y` with their labels, a light grid and the title.
fn plane<'a, DB: DrawingBackend + 'a>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    (x_label, y_label): (&str, &str),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> io::Result<Plane<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 24).into_font())
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(RGBColor(235, 235, 235))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Horizontal dashed red lines across the plot (SLOs), in the legend.
fn draw_thresholds<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plane<'a, DB>,
    thresholds: &[(String, f64)],
    (x0, x1): (f64, f64),
) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    let red = RGBColor(200, 30, 30);
    for (label, y) in thresholds {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0, *y), (x1, *y)],
                8,
                6,
                red.stroke_width(2),
            ))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
    }
    Ok(())
}

/// The legend, in the corner that hides the fewest of `points`.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plane<'a, DB>,
    points: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(legend_corner(points, x, y))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(err)
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &ScatterChart,
) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let all = || c.groups.iter().flat_map(|g| g.1.iter());
    let xs = all().flat_map(|p| [Some(p.x), p.x_ci.map(|c| c.0), p.x_ci.map(|c| c.1)]);
    let ys = all().flat_map(|p| [Some(p.y), p.y_ci.map(|c| c.0), p.y_ci.map(|c| c.1)]);
    let (x0, x1) = range(xs.flatten(), true);
    let (y0, y1) = range(ys.flatten().chain(c.thresholds.iter().map(|t| t.1)), true);
    let mut chart = plane(root, &c.title, (&c.x_label, &c.y_label), (x0, x1), (y0, y1))?;
    for (i, (name, points)) in c.groups.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // Each group's dots are smaller than the last's, so grid points with
        // the same figures show as rings around one another, not hidden.
        let r = 9i32.saturating_sub(2 * i as i32).max(3);
        let thin = color.mix(0.6).stroke_width(1);
        for p in points {
            if let Some((lo, hi)) = p.y_ci {
                chart
                    .draw_series(std::iter::once(ErrorBar::new_vertical(
                        p.x, lo, p.y, hi, thin, 8,
                    )))
                    .map_err(err)?;
            }
            if let Some((lo, hi)) = p.x_ci {
                chart
                    .draw_series(std::iter::once(ErrorBar::new_horizontal(
                        p.y, lo, p.x, hi, thin, 8,
                    )))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.x, p.y), r, color.filled())),
            )
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| Circle::new((x + 10, y), r, color.filled()));
    }
    let (label, line) = &c.frontier;
    if !line.is_empty() {
        chart
            .draw_series(LineSeries::new(line.iter().copied(), BLACK.stroke_width(2)))
            .map_err(err)?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    }
    if let Some((label, p)) = &c.highlight {
        chart
            .draw_series(std::iter::once(Circle::new(*p, 13, BLACK.stroke_width(2))))
            .map_err(err)?
            .label(label)
            .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.stroke_width(2)));
    }
    draw_thresholds(&mut chart, &c.thresholds, (x0, x1))?;
    let points: Vec<(f64, f64)> = all().map(|p| (p.x, p.y)).collect();
    draw_legend(&mut chart, &points, (x0, x1), (y0, y1))?;
    root.present().map_err(err)
}

fn draw_bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &BarChart) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let n = c.bars.len().max(1);
    let top = c.bars.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64 * 1.12;
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24).into_font())
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)?;
    let labels: Vec<String> = c.bars.iter().map(|b| b.0.clone()).collect();
    let label_of = move |v: &f64| -> String {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc(&c.x_label)
        .y_desc(&c.y_label)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(n)
        .x_label_formatter(&label_of)
        .y_label_formatter(&tick)
        .draw()
        .map_err(err)?;
    let color = PALETTE[0];
    chart
        .draw_series(c.bars.iter().enumerate().map(|(i, (_, count))| {
            let x = i as f64;
            Rectangle::new([(x - 0.4, 0.0), (x + 0.4, *count as f64)], color.filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(c.bars.iter().enumerate().map(|(i, (_, count))| {
            Text::new(
                count.to_string(),
                (i as f64 - 0.1, *count as f64 + top * 0.05),
                ("sans-serif", 15).into_font(),
            )
        }))
        .map_err(err)?;
    root.present().map_err(err)
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> io::Result<()>
where
    DB::ErrorType: 'static,
{
    match chart {
        Chart::Line(c) => draw_line(&root, c),
        Chart::Bar(c) => draw_bars(&root, c),
        Chart::Scatter(c) => draw_scatter(&root, c),
    }
}

/// Writes `<stem>.png` and `<stem>.svg` into `dir`, each through a temporary
/// file and a rename. Returns the two paths.
pub fn save(chart: &Chart, dir: &Path, stem: &str) -> io::Result<[PathBuf; 2]> {
    register_fonts();
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    // The bitmap backend picks the image format by the extension.
    let tmp_png = dir.join(crate::output::scratch_name(stem, "tmp") + ".png");
    let result = draw(
        BitMapBackend::new(&tmp_png, SIZE).into_drawing_area(),
        chart,
    )
    .and_then(|()| fs::rename(&tmp_png, &png));
    if result.is_err() {
        let _ = fs::remove_file(&tmp_png);
    }
    result?;
    let mut text = String::new();
    draw(
        SVGBackend::with_string(&mut text, SIZE).into_drawing_area(),
        chart,
    )?;
    crate::output::write_atomic(&svg, text.as_bytes())?;
    Ok([png, svg])
}

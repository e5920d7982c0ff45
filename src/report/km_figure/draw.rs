//! Drawing a [`KmFigure`] through plotters' backend interface: the same
//! layout onto SVG or a canvas.

use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform,
};

use super::{FontSizes, KmFigure, FAMILY};

type Drawn<DB> = Result<(), DrawingErrorKind<<DB as DrawingBackend>::ErrorType>>;

const BLACK: [u8; 3] = [0x22, 0x22, 0x22];

/// A pixel position, rounded.
fn px((a, b): (f64, f64)) -> (i32, i32) {
    (a.round() as i32, b.round() as i32)
}

/// The text size, as the backend reads it.
#[derive(Clone, Copy)]
struct Text {
    size: f64,
}

impl Text {
    fn new(sizes: FontSizes) -> Text {
        let size = match sizes {
            FontSizes::Svg => 12.0 * 1.24,
            FontSizes::Canvas => 12.0,
        };
        Text { size }
    }

    fn label(self, colour: [u8; 3], bold: bool, h: HPos) -> Label {
        Label {
            colour: rgb(colour),
            size: self.size,
            bold,
            anchor: Pos::new(h, VPos::Center),
            transform: FontTransform::None,
        }
    }
}

impl KmFigure {
    /// Draws the figure with `backend` (any plotters backend of `width` x
    /// `height` pixels).
    pub fn draw<DB: DrawingBackend>(
        &self,
        backend: &mut DB,
        sizes: FontSizes,
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let text = Text::new(sizes);
        backend.draw_rect(
            (0, 0),
            (self.width as i32, self.height as i32),
            &Stroke::new([0xFF, 0xFF, 0xFF], 1.0, 1),
            true,
        )?;
        self.draw_axes(backend, text)?;
        self.draw_curves(backend, text)?;
        self.draw_at_risk(backend, text)?;
        backend.present()
    }

    /// The grid, the axes with their ticks and labels.
    fn draw_axes<DB: DrawingBackend>(&self, backend: &mut DB, text: Text) -> Drawn<DB> {
        let axis = Stroke::new([0x33, 0x33, 0x33], 1.0, 1);
        let [left, top, right, bottom] = self.plot;
        // Grid and y axis.
        for t in &self.y_ticks {
            backend.draw_path(
                [px((left, t.at)), px((right, t.at))],
                &Stroke::new([0xEE, 0xEE, 0xEE], 1.0, 1),
            )?;
            backend.draw_text(
                &t.label,
                &text.label(BLACK, false, HPos::Right),
                px((left - 8.0, t.at)),
            )?;
        }
        backend.draw_text(
            &self.y_label,
            &Label {
                transform: FontTransform::Rotate270,
                ..text.label(BLACK, false, HPos::Center)
            },
            px((left - 45.0, (top + bottom) / 2.0)),
        )?;
        backend.draw_path(
            [px((left, top)), px((left, bottom)), px((right, bottom))],
            &axis,
        )?;
        // x axis.
        for t in &self.x_ticks {
            backend.draw_path([px((t.at, bottom)), px((t.at, bottom + 5.0))], &axis)?;
            backend.draw_text(
                &t.label,
                &text.label(BLACK, false, HPos::Center),
                px((t.at, bottom + 15.0)),
            )?;
        }
        backend.draw_text(
            &self.x_label,
            &text.label(BLACK, false, HPos::Center),
            px(((left + right) / 2.0, bottom + 34.0)),
        )
    }

    /// The curves: bands under, steps (solid or dashed), censor marks;
    /// the legend and the test's P.
    fn draw_curves<DB: DrawingBackend>(&self, backend: &mut DB, text: Text) -> Drawn<DB> {
        let [left, top, right, bottom] = self.plot;
        for c in &self.curves {
            backend.fill_polygon(
                c.band.iter().copied().map(px),
                &Stroke::new(c.colour, 0.15, 1),
            )?;
        }
        let n = self.curves.len();
        for (i, c) in self.curves.iter().enumerate() {
            let line = Stroke::new(c.colour, 1.0, 2);
            if c.dashed {
                for d in dashes(&c.steps, DASH, GAP) {
                    backend.draw_path(d.into_iter().map(px), &line)?;
                }
            } else {
                backend.draw_path(c.steps.iter().copied().map(px), &line)?;
            }
            let mark = Stroke::new(c.colour, 1.0, 1);
            for &(cx, cy) in &c.censored {
                backend.draw_path([px((cx - 3.5, cy)), px((cx + 3.5, cy))], &mark)?;
                backend.draw_path([px((cx, cy - 3.5)), px((cx, cy + 3.5))], &mark)?;
            }
            // Legend: bottom right of the plot when the curves start at
            // the top, top left when they rise from 0.
            let (lx, ly) = if self.rising {
                (left + 12.0, top + 14.0 + 18.0 * i as f64)
            } else {
                (right - 190.0, bottom - 14.0 - 18.0 * (n - 1 - i) as f64)
            };
            let key = [(lx, ly), (lx + 20.0, ly)];
            let key_style = Stroke::new(c.colour, 1.0, 3);
            if c.dashed {
                for d in dashes(&key, 6.0, 4.0) {
                    backend.draw_path(d.into_iter().map(px), &key_style)?;
                }
            } else {
                backend.draw_path(key.into_iter().map(px), &key_style)?;
            }
            backend.draw_text(
                &c.label,
                &text.label(BLACK, false, HPos::Left),
                px((lx + 26.0, ly)),
            )?;
        }
        if let Some(p) = &self.log_rank {
            let at = if self.rising {
                (left + 12.0, top + 14.0 + 18.0 * n as f64 + 4.0)
            } else {
                (left + 12.0, bottom - 14.0)
            };
            backend.draw_text(p, &text.label(BLACK, true, HPos::Left), px(at))?;
        }
        Ok(())
    }

    /// The numbers at risk, at the ticks' own positions.
    fn draw_at_risk<DB: DrawingBackend>(&self, backend: &mut DB, text: Text) -> Drawn<DB> {
        backend.draw_text(
            "Number at risk",
            &text.label(BLACK, true, HPos::Left),
            px((10.0, self.at_risk_heading)),
        )?;
        for row in &self.at_risk {
            backend.draw_text(
                &row.label,
                &text.label(row.colour, false, HPos::Left),
                px((10.0, row.y)),
            )?;
            for (t, n) in self.x_ticks.iter().zip(&row.counts) {
                backend.draw_text(
                    &n.to_string(),
                    &text.label(BLACK, false, HPos::Center),
                    px((t.at, row.y)),
                )?;
            }
        }
        Ok(())
    }
}

/// A dash and the gap after it, in pixels.
const DASH: f64 = 8.0;
const GAP: f64 = 5.0;

/// The pieces of the polyline `points` drawn as dashes of `on` pixels
/// with gaps of `off`, the pattern running on across corners.
pub(super) fn dashes(points: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    // Where in the pattern the pen is: [0, on) draws, [on, on + off) not.
    let mut phase = 0.0f64;
    let period = on + off;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let length = (b.0 - a.0).hypot(b.1 - a.1);
        let mut done = 0.0f64;
        while done < length {
            let drawing = phase < on;
            let left_in_phase = if drawing { on - phase } else { period - phase };
            let step = left_in_phase.min(length - done);
            let at = |d: f64| {
                (
                    a.0 + (b.0 - a.0) * d / length,
                    a.1 + (b.1 - a.1) * d / length,
                )
            };
            if drawing {
                if current.is_empty() {
                    current.push(at(done));
                }
                current.push(at(done + step));
            }
            done += step;
            phase += step;
            if phase >= on && drawing && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if phase >= period {
                phase -= period;
            }
        }
    }
    if current.len() > 1 {
        out.push(current);
    }
    out
}

fn rgb(c: [u8; 3]) -> BackendColor {
    BackendColor {
        alpha: 1.0,
        rgb: (c[0], c[1], c[2]),
    }
}

/// A line (or fill) colour, its opacity and width.
struct Stroke {
    colour: BackendColor,
    width: u32,
}

impl Stroke {
    fn new(colour: [u8; 3], alpha: f64, width: u32) -> Stroke {
        Stroke {
            colour: rgb(colour).mix(alpha),
            width,
        }
    }
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.colour
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// A text's look. The SVG and canvas backends write text themselves
/// (`<text>`, `fillText`), anchored where they are told; neither asks the
/// style to measure or rasterize it.
struct Label {
    colour: BackendColor,
    size: f64,
    bold: bool,
    anchor: Pos,
    transform: FontTransform,
}

/// Never raised: [`Label`] neither measures nor rasterizes.
#[derive(Debug)]
struct NoFont;

impl std::fmt::Display for NoFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no font")
    }
}

impl std::error::Error for NoFont {}

impl BackendTextStyle for Label {
    type FontError = NoFont;
    fn color(&self) -> BackendColor {
        self.colour
    }
    fn size(&self) -> f64 {
        self.size
    }
    fn transform(&self) -> FontTransform {
        self.transform.clone()
    }
    fn style(&self) -> FontStyle {
        if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        }
    }
    fn anchor(&self) -> Pos {
        self.anchor
    }
    fn family(&self) -> FontFamily<'_> {
        FontFamily::Name(FAMILY)
    }
    /// An estimate (0.6 em a character); the backends used here never ask.
    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), NoFont> {
        let w = (0.6 * self.size * text.chars().count() as f64).round() as i32;
        Ok(((0, 0), (w, self.size.round() as i32)))
    }
    /// Pixel by pixel drawing, for raster backends: not used (see above).
    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        _text: &str,
        _pos: BackendCoord,
        _draw: F,
    ) -> Result<Result<(), E>, NoFont> {
        Err(NoFont)
    }
}

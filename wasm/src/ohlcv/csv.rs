//! Reading candles from CSV text, fast, with errors that name the file line.
//!
//! The caller reads the header (to map column names) and passes the body that follows it,
//! with the body's first line number. Format: fields separated by `delimiter`, records by
//! `\n` or `\r\n`; fields may be quoted (`"..."`, `""` for a quote, newlines allowed inside);
//! spaces and tabs around a field are ignored; lines holding only whitespace are skipped;
//! fields beyond those used are ignored. Numbers are read as `number::parse_f64` reads them,
//! times as `time` says. Large bodies without quotes are read by several threads in the
//! native build; the result is identical to a single-threaded read, which the WASM build does.

use super::number::{parse_f64, parse_i64};
use super::time::{float_to_ms, int_to_ms, parse_iso, TimeKind, Unit};
use super::{Owned, Violation};
use crate::KernelError;

/// Column names in the order of `CsvSpec::fields`.
pub const COLUMNS: [&str; 6] = ["time", "open", "high", "low", "close", "volume"];

#[derive(Debug, Clone)]
pub struct CsvSpec {
    pub delimiter: u8,
    /// The field index (0-based) of time, open, high, low, close and volume.
    pub fields: [usize; 6],
    /// The file line number of the body's first line (2 after a one-line header).
    pub first_line: usize,
    /// The unit of epoch-number times; None: decided from the first row's magnitude.
    pub unit: Option<Unit>,
    /// At most this many threads (native build only; 1 reads on the calling thread).
    pub threads: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub columns: Owned,
    /// The first syntax error; its `row` is the file line number.
    pub violation: Option<Violation>,
    /// `(row index, file line)` for the first row and every row not on the line after the
    /// previous row's (after skipped lines or multi-line quoted fields): maps rows to lines.
    pub lines: Vec<(usize, usize)>,
}

/// Below this size one thread reads the whole body.
const MIN_CHUNK: usize = 1 << 20;

pub fn parse_csv(body: &[u8], spec: &CsvSpec) -> Result<Parsed, KernelError> {
    let d = spec.delimiter;
    if !d.is_ascii() || matches!(d, b'"' | b'\n' | b'\r' | b' ') {
        return Err(KernelError::new(format!("parse_csv: delimiter must be an ASCII character other than a quote, space or newline, got {:?}", d as char)));
    }
    let threads = if cfg!(target_arch = "wasm32") {
        1
    } else {
        spec.threads.clamp(1, 16).min(body.len() / MIN_CHUNK + 1)
    };
    if threads > 1 {
        if let Some(kind) = first_time_kind(body, spec) {
            if let Some(parsed) = parse_parallel(body, spec, kind, threads) {
                return Ok(parsed);
            }
        }
    }
    let mut columns = Owned::zeroed(max_rows(body.len(), spec));
    let mut kind = None;
    let out = chunk(
        body,
        spec,
        spec.first_line,
        &mut kind,
        Slices::of(&mut columns),
    );
    columns.truncate(out.rows);
    columns.shrink_to_fit();
    Ok(Parsed {
        columns,
        violation: out.violation,
        lines: out.lines,
    })
}

/// An upper bound on the rows `len` bytes can hold: every row has at least one character per
/// field up to the last one used, a separator after each but the last, and a newline. The
/// columns are allocated that long untouched (zero pages), then cut to the rows read.
fn max_rows(len: usize, spec: &CsvSpec) -> usize {
    let min_record = 2 * (spec.fields.iter().max().unwrap() + 1);
    (len + 1) / min_record + 1
}

/// The time kind of the first data row, if it can be read from a plain (unquoted) line.
fn first_time_kind(body: &[u8], spec: &CsvSpec) -> Option<TimeKind> {
    let line = body.split(|&b| b == b'\n').find(|l| !is_blank(l))?;
    if line.contains(&b'"') {
        return None;
    }
    let cell = trim(line.split(|&b| b == spec.delimiter).nth(spec.fields[0])?);
    classify_time(cell, spec.unit)
}

fn parse_parallel(body: &[u8], spec: &CsvSpec, kind: TimeKind, threads: usize) -> Option<Parsed> {
    // Chunks end after a newline, so each holds whole lines.
    let mut bounds = vec![0];
    for k in 1..threads {
        let from = (body.len() * k / threads).max(*bounds.last().unwrap());
        bounds.push(
            body[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body.len(), |p| from + p + 1),
        );
    }
    bounds.push(body.len());
    let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    // A chunk holds at most one row per line: counted first (in parallel, at memory speed),
    // so the columns are allocated once at their size and each chunk writes its rows where
    // they belong, with no move afterwards unless lines were skipped.
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(move || lines_in(c).min(max_rows(c.len(), spec))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut columns = Owned::zeroed(counts.iter().sum());
    let outs: Vec<ChunkOut> = {
        let mut rest = Slices::of(&mut columns);
        let mut jobs = Vec::with_capacity(chunks.len());
        for (c, &n) in chunks.iter().zip(&counts) {
            let (head, tail) = rest.split_at(n);
            jobs.push((*c, head));
            rest = tail;
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = jobs
                .into_iter()
                .map(|(c, part)| s.spawn(move || chunk(c, spec, 0, &mut Some(kind), part)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    let mut parsed = Parsed::default();
    let (mut rows, mut offset, mut base) = (0, 0, spec.first_line);
    for (out, &n) in outs.into_iter().zip(&counts) {
        // Quotes may hide newlines that are not record ends, so a chunk boundary may have cut
        // a record: such bodies are read by one thread. Every chunk before this one read all
        // its records without a quote, so this one started at a record boundary.
        if out.quoted {
            return None;
        }
        if let Some(mut v) = out.violation {
            v.row += base; // the first chunk with an error decides
            parsed.violation = Some(v);
            break;
        }
        if offset != rows {
            columns.time.copy_within(offset..offset + out.rows, rows);
            for col in columns.values_mut() {
                col.copy_within(offset..offset + out.rows, rows);
            }
        }
        for (r, line) in out.lines {
            // A chunk's first row continues the previous chunk's lines unless lines were skipped.
            let expected = parsed.lines.last().map(|&(pr, pl)| pl + (rows + r - pr));
            if r > 0 || expected != Some(line + base) {
                parsed.lines.push((rows + r, line + base));
            }
        }
        rows += out.rows;
        offset += n;
        base += out.lines_read;
    }
    columns.truncate(rows);
    columns.shrink_to_fit();
    parsed.columns = columns;
    Some(parsed)
}

/// The lines in a chunk: its newlines, plus one for a last line without one.
fn lines_in(chunk: &[u8]) -> usize {
    // Sums of at most 255 bytes fit a u8, so the compiler adds 16 or more bytes at a time.
    let newlines: usize = chunk
        .chunks(255)
        .map(|block| usize::from(block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>()))
        .sum();
    newlines + usize::from(chunk.last().is_some_and(|&b| b != b'\n'))
}

/// Mutable column slices a chunk writes its rows into.
struct Slices<'a> {
    time: &'a mut [i64],
    values: [&'a mut [f64]; 5],
}

impl<'a> Slices<'a> {
    fn of(c: &'a mut Owned) -> Self {
        Slices {
            time: &mut c.time,
            values: [
                &mut c.open,
                &mut c.high,
                &mut c.low,
                &mut c.close,
                &mut c.volume,
            ],
        }
    }

    fn split_at(self, n: usize) -> (Self, Self) {
        let (t0, t1) = self.time.split_at_mut(n);
        let [a, b, c, d, e] = self.values;
        let (a0, a1) = a.split_at_mut(n);
        let (b0, b1) = b.split_at_mut(n);
        let (c0, c1) = c.split_at_mut(n);
        let (d0, d1) = d.split_at_mut(n);
        let (e0, e1) = e.split_at_mut(n);
        (
            Slices {
                time: t0,
                values: [a0, b0, c0, d0, e0],
            },
            Slices {
                time: t1,
                values: [a1, b1, c1, d1, e1],
            },
        )
    }
}

struct ChunkOut {
    rows: usize,
    /// A field started with a quote (before any violation).
    quoted: bool,
    violation: Option<Violation>,
    lines: Vec<(usize, usize)>,
    /// Lines consumed (all of them, unless stopped by a violation).
    lines_read: usize,
}

#[inline]
fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_space(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| is_space(b))
}

/// Where each field goes: 0 = time, 1..=5 = open..volume, NONE = ignored.
const NONE: u8 = u8::MAX;

/// Whether `body[p]` ends a field: the delimiter, a newline, `\r\n`, or the end.
#[inline(always)]
fn ends_field(body: &[u8], p: usize, delim: u8) -> bool {
    match body.get(p) {
        None => true,
        Some(&b) => {
            b == delim
                || b == b'\n'
                || (b == b'\r' && matches!(body.get(p + 1), None | Some(b'\n')))
        }
    }
}

/// Fast path for the common cell, a plain decimal right at `p`: its digits as an integer,
/// the number of digits after the point (None without a point), and where it ends. None
/// when the cell is anything else (spaces, exponent, more than 18 digits...).
#[inline(always)]
fn plain_decimal(body: &[u8], mut p: usize, delim: u8) -> Option<(i64, Option<usize>, usize)> {
    let neg = body.get(p) == Some(&b'-');
    p += usize::from(neg);
    let start = p;
    let mut v: i64 = 0;
    let mut point = None;
    while let Some(&b) = body.get(p) {
        let d = b.wrapping_sub(b'0');
        if d <= 9 {
            v = v.wrapping_mul(10).wrapping_add(i64::from(d)); // checked below: at most 18 digits
            p += 1;
        } else if b == b'.' && point.is_none() {
            p += 1;
            point = Some(p);
        } else {
            break;
        }
    }
    let digits = p - start - usize::from(point.is_some());
    if digits == 0 || digits > 18 || !ends_field(body, p, delim) {
        return None;
    }
    Some((if neg { -v } else { v }, point.map(|q| p - q), p))
}

const POW10: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// Reads the records of `body` into `out` (which has room for all of them).
fn chunk(
    body: &[u8],
    spec: &CsvSpec,
    first_line: usize,
    kind: &mut Option<TimeKind>,
    out: Slices,
) -> ChunkOut {
    let Slices {
        time: out_time,
        values: mut out_values,
    } = out;
    let last_field = *spec.fields.iter().max().unwrap();
    let mut slot = vec![NONE; last_field + 1];
    for (col, &f) in spec.fields.iter().enumerate() {
        slot[f] = col as u8;
    }
    let (n, delim) = (body.len(), spec.delimiter);
    let mut result = ChunkOut {
        rows: 0,
        quoted: false,
        violation: None,
        lines: Vec::new(),
        lines_read: 0,
    };
    let (mut pos, mut line, mut prev_line) = (0usize, first_line, 0usize);
    let mut unescaped = Vec::new();
    while pos < n {
        // Skip blank lines (only those starting with whitespace need a look).
        if body[pos] == b'\n' || is_space(body[pos]) {
            let end = memchr_newline(body, pos);
            if is_blank(&body[pos..end]) {
                pos = end + 1;
                line += 1;
                continue;
            }
        }
        let line_of_record = line;
        macro_rules! fail {
            ($field:expr, $rule:expr, $detail:expr) => {{
                result.violation = Some(Violation::new(line_of_record, $field, $rule, $detail));
                result.lines_read = line - first_line;
                return result;
            }};
        }
        let mut values = [0f64; 5];
        let mut time = 0i64;
        let mut seen = 0usize; // fields read in this record
        loop {
            let col = slot.get(seen).copied().unwrap_or(NONE);
            let mut p = pos;
            let mut fast = false;
            if col != NONE {
                // The common case, read in one pass: a plain number.
                if let Some((digits, fraction, end)) = plain_decimal(body, p, delim) {
                    if col == 0 {
                        if let (None, Some(TimeKind::Epoch(u))) = (fraction, *kind) {
                            let magnitude_ok =
                                spec.unit.is_some() || Unit::of_magnitude(digits as f64) == u;
                            if let (true, Some(ms)) = (magnitude_ok, int_to_ms(digits, u)) {
                                time = ms;
                                fast = true;
                                p = end;
                            }
                        }
                    } else if digits.unsigned_abs() < 1 << 53 {
                        // Both exact doubles: one division rounds correctly (Clinger).
                        values[col as usize - 1] = digits as f64 / POW10[fraction.unwrap_or(0)];
                        fast = true;
                        p = end;
                    }
                }
            }
            if !fast {
                while p < n && (body[p] == b' ' || body[p] == b'\t') {
                    p += 1;
                }
                let cell: &[u8];
                if p < n && body[p] == b'"' {
                    result.quoted = true;
                    match quoted(body, p, &mut unescaped) {
                        Ok((content, after, newlines)) => {
                            line += newlines;
                            cell = trim(content.map_or(&unescaped[..], |(a, b)| &body[a..b]));
                            p = after;
                            while p < n && is_space(body[p]) {
                                p += 1;
                            }
                            if p < n && body[p] != delim && body[p] != b'\n' {
                                fail!(
                                    field_name(&slot, seen),
                                    "malformed_csv",
                                    "text after a closing quote".into()
                                );
                            }
                        }
                        Err(()) => fail!(
                            field_name(&slot, seen),
                            "malformed_csv",
                            "a quote is never closed".into()
                        ),
                    }
                } else {
                    let start = p;
                    while p < n && body[p] != delim && body[p] != b'\n' {
                        p += 1;
                    }
                    cell = trim(&body[start..p]);
                }
                if col != NONE {
                    let col = col as usize;
                    if cell.is_empty() {
                        fail!(
                            COLUMNS[col],
                            "missing_value",
                            format!("no value for {}", COLUMNS[col])
                        );
                    }
                    if col == 0 {
                        match read_time(cell, kind, spec.unit) {
                            Ok(t) => time = t,
                            Err((rule, detail)) => fail!("time", rule, detail),
                        }
                    } else {
                        match parse_f64(cell) {
                            Some(v) => values[col - 1] = v,
                            None => fail!(
                                COLUMNS[col],
                                "not_a_number",
                                format!("cannot read {} as a number", show(cell))
                            ),
                        }
                    }
                }
            }
            seen += 1;
            match body.get(p) {
                Some(&b) if b == delim => pos = p + 1,
                Some(b'\r') => {
                    pos = p + 2; // "\r\n" (a lone "\r" never ends a fast-path field)
                    break;
                }
                _ => {
                    pos = p + 1; // past the newline, or the end
                    break;
                }
            }
        }
        if seen <= last_field {
            let missing = (0..6)
                .filter(|&c| spec.fields[c] >= seen)
                .min_by_key(|&c| spec.fields[c])
                .unwrap();
            fail!(
                COLUMNS[missing],
                "missing_value",
                format!(
                    "the row has {seen} fields, {} is field {}",
                    COLUMNS[missing],
                    spec.fields[missing] + 1
                )
            );
        }
        let row = result.rows;
        out_time[row] = time;
        for (col, v) in out_values.iter_mut().zip(values) {
            col[row] = v;
        }
        if row == 0 || line_of_record != prev_line + 1 {
            result.lines.push((row, line_of_record));
        }
        prev_line = line_of_record;
        result.rows += 1;
        line += 1;
    }
    result.lines_read = line - first_line;
    result
}

/// The index of the next newline at or after `from`, or the body's length.
#[inline]
fn memchr_newline(body: &[u8], from: usize) -> usize {
    body[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |p| from + p)
}

/// A quoted field starting at `body[at] == '"'`: its content (a range of `body`, or None when
/// `""` escapes were undone into `buf`), the position after the closing quote, and the number
/// of newlines inside.
#[allow(clippy::type_complexity)]
fn quoted(
    body: &[u8],
    at: usize,
    buf: &mut Vec<u8>,
) -> Result<(Option<(usize, usize)>, usize, usize), ()> {
    let start = at + 1;
    let mut p = start;
    let mut escaped = false;
    loop {
        let q = body[p..].iter().position(|&b| b == b'"').ok_or(())? + p;
        if body.get(q + 1) == Some(&b'"') {
            escaped = true;
            p = q + 2;
            continue;
        }
        let newlines = body[start..q].iter().filter(|&&b| b == b'\n').count();
        if escaped {
            buf.clear();
            let mut i = start;
            while i < q {
                buf.push(body[i]);
                i += if body[i] == b'"' { 2 } else { 1 };
            }
            return Ok((None, q + 1, newlines));
        }
        return Ok((Some((start, q)), q + 1, newlines));
    }
}

fn field_name(slot: &[u8], field: usize) -> &'static str {
    match slot.get(field) {
        Some(&c) if c != NONE => COLUMNS[c as usize],
        _ => "",
    }
}

/// A cell for messages: quoted, at most 40 characters.
fn show(cell: &[u8]) -> String {
    let text = String::from_utf8_lossy(cell);
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    format!("{s:?}")
}

/// The kind of time a cell holds: an epoch number (unit from `unit` or its magnitude) or ISO text.
pub fn classify_time(cell: &[u8], unit: Option<Unit>) -> Option<TimeKind> {
    if let Some(v) = parse_i64(cell)
        .map(|v| v as f64)
        .or_else(|| parse_f64(cell).filter(|v| v.is_finite()))
    {
        return Some(TimeKind::Epoch(
            unit.unwrap_or_else(|| Unit::of_magnitude(v)),
        ));
    }
    parse_iso(cell).map(|_| TimeKind::Iso)
}

/// A time cell as UTC ms, given the kind of the column (set by the first row when None).
#[inline]
pub fn read_time(
    cell: &[u8],
    kind: &mut Option<TimeKind>,
    unit: Option<Unit>,
) -> Result<i64, (&'static str, String)> {
    let bad = || {
        (
            "bad_time",
            format!(
                "cannot read {} as a time (epoch seconds, milliseconds or ISO 8601)",
                show(cell)
            ),
        )
    };
    let k = match *kind {
        Some(k) => k,
        None => {
            let k = classify_time(cell, unit).ok_or_else(bad)?;
            *kind = Some(k);
            k
        }
    };
    match k {
        TimeKind::Epoch(u) => {
            let (magnitude, ms) = if let Some(v) = parse_i64(cell) {
                (v as f64, int_to_ms(v, u))
            } else if let Some(v) = parse_f64(cell) {
                if !v.is_finite() {
                    return Err(bad());
                }
                (v, float_to_ms(v, u))
            } else if parse_iso(cell).is_some() {
                return Err((
                    "mixed_time_units",
                    format!(
                        "{} is ISO 8601 text but the first row's time is a number of {}",
                        show(cell),
                        u.name()
                    ),
                ));
            } else {
                return Err(bad());
            };
            if unit.is_none() && Unit::of_magnitude(magnitude) != u {
                return Err((
                    "mixed_time_units",
                    format!(
                        "{} looks like {} but the first row's time is in {}",
                        show(cell),
                        Unit::of_magnitude(magnitude).name(),
                        u.name()
                    ),
                ));
            }
            ms.ok_or_else(bad)
        }
        TimeKind::Iso => parse_iso(cell).ok_or_else(|| {
            if classify_time(cell, unit).is_some() {
                (
                    "mixed_time_units",
                    format!(
                        "{} is a number but the first row's time is ISO 8601 text",
                        show(cell)
                    ),
                )
            } else {
                bad()
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CsvSpec {
        CsvSpec {
            delimiter: b',',
            fields: [0, 1, 2, 3, 4, 5],
            first_line: 2,
            unit: None,
            threads: 1,
        }
    }

    fn parse(body: &str) -> Parsed {
        parse_csv(body.as_bytes(), &spec()).unwrap()
    }

    fn error(body: &str) -> (usize, &'static str, &'static str) {
        let v = parse(body).violation.expect("an error");
        (v.row, v.field, v.rule)
    }

    #[test]
    fn reads_rows() {
        let p = parse("1700000000000,1,2,0.5,1.5,10\n1700000060000,1.5,2.5,1,2,0\n");
        assert_eq!(p.violation, None);
        assert_eq!(p.columns.time, vec![1_700_000_000_000, 1_700_000_060_000]);
        assert_eq!(p.columns.high, vec![2.0, 2.5]);
        assert_eq!(p.columns.volume, vec![10.0, 0.0]);
        assert_eq!(p.lines, vec![(0, 2)]);
    }

    #[test]
    fn layout_variants() {
        // CRLF, no final newline, blank and whitespace lines, spaces, quotes, extra columns.
        let p = parse("1700000000, 1 ,2,0.5,1.5,10,x\r\n\r\n   \n\"1700000060\",\"1.5\",2.5,1,2,0,\"a,\nb\"\n1700000120,1,1,1,1,1");
        assert_eq!(p.violation, None);
        assert_eq!(
            p.columns.time,
            vec![1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000]
        );
        assert_eq!(p.columns.open, vec![1.0, 1.5, 1.0]);
        assert_eq!(p.lines, vec![(0, 2), (1, 5), (2, 7)]);
        let semi = CsvSpec {
            delimiter: b';',
            fields: [5, 0, 1, 2, 3, 4],
            ..spec()
        };
        let p = parse_csv(b"1;2;0.5;1.5;10;2024-01-01T00:00:00Z\n", &semi).unwrap();
        assert_eq!(
            (p.columns.time[0], p.columns.volume[0]),
            (1_704_067_200_000, 10.0)
        );
        let p = parse("\"2024-01-01 00:00\",\"1\"\"\",1,1,1,1\n");
        assert_eq!(p.violation.unwrap().rule, "not_a_number");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        assert_eq!(
            error("1,1,1,1,1,1\n2,1,x,1,1,1\n"),
            (3, "high", "not_a_number")
        );
        assert_eq!(
            error("1,1,1,1,1,1\n\n2,1,1,1,,1\n"),
            (4, "close", "missing_value")
        );
        assert_eq!(error("1,1,1,1\n"), (2, "close", "missing_value"));
        assert_eq!(error("abc,1,1,1,1,1\n"), (2, "time", "bad_time"));
        assert_eq!(
            error("1700000000,1,1,1,1,1\n1700000060000,1,1,1,1,1\n"),
            (3, "time", "mixed_time_units")
        );
        assert_eq!(
            error("2024-01-01,1,1,1,1,1\n1704067200,1,1,1,1,1\n"),
            (3, "time", "mixed_time_units")
        );
        assert_eq!(
            error("1704067200,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n"),
            (3, "time", "mixed_time_units")
        );
        assert_eq!(error("nan,1,1,1,1,1\n"), (2, "time", "bad_time"));
        assert_eq!(error("1,\"1,1,1,1,1\n"), (2, "open", "malformed_csv"));
        assert_eq!(error("1,\"1\"x,1,1,1,1\n"), (2, "open", "malformed_csv"));
        let v = parse("1,1,1,1\n").violation.unwrap();
        assert_eq!(v.detail, "the row has 4 fields, close is field 5");
        let v = parse("1,1,oops,1,1,1\n").violation.unwrap();
        assert_eq!(v.detail, "cannot read \"oops\" as a number");
    }

    #[test]
    fn numbers_may_be_nan_for_the_rules_to_catch() {
        let p = parse("1,nan,1,1,inf,1\n");
        assert_eq!(p.violation, None);
        assert!(p.columns.open[0].is_nan() && p.columns.close[0].is_infinite());
    }

    #[test]
    fn explicit_unit_skips_the_magnitude_check() {
        let s = CsvSpec {
            unit: Some(Unit::Seconds),
            ..spec()
        };
        let p = parse_csv(b"1700000000000,1,1,1,1,1\n5,1,1,1,1,1\n", &s).unwrap();
        assert_eq!(p.violation, None);
        assert_eq!(p.columns.time, vec![1_700_000_000_000_000, 5_000]);
        let p = parse_csv(b"9300000000000000000,1,1,1,1,1\n", &s).unwrap();
        assert_eq!(p.violation.unwrap().rule, "bad_time");
    }

    #[test]
    fn parallel_equals_sequential() {
        let mut body = String::new();
        let mut x: u64 = 7;
        for i in 0..300_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 1000 == 0 {
                body.push('\n'); // blank lines shift later rows
            }
            body.push_str(&format!(
                "{},{}.{},{},{},{},{}\n",
                1_600_000_000_000 + i * 60_000,
                x % 1000,
                x % 97,
                x % 1500,
                x % 3,
                x % 999,
                x % 10
            ));
        }
        let one = parse_csv(body.as_bytes(), &spec()).unwrap();
        let many = parse_csv(
            body.as_bytes(),
            &CsvSpec {
                threads: 4,
                ..spec()
            },
        )
        .unwrap();
        assert_eq!(one.violation, None);
        assert_eq!(one, many);
        assert_eq!(one.columns.len(), 300_000);
        // An error in a later chunk is found at the same line either way.
        let t = (1_600_000_000_000u64 + 299_990 * 60_000).to_string();
        let bad = body.replacen(&t, &format!("{t}x"), 1);
        let one = parse_csv(bad.as_bytes(), &spec()).unwrap();
        let many = parse_csv(
            bad.as_bytes(),
            &CsvSpec {
                threads: 4,
                ..spec()
            },
        )
        .unwrap();
        assert!(one.violation.is_some());
        assert_eq!(one.violation, many.violation);
    }

    #[test]
    fn quotes_anywhere_read_as_one_thread_reads_them() {
        let threads = CsvSpec {
            threads: 4,
            ..spec()
        };
        let row = |i: usize| {
            format!(
                "{},1.5,2,1,1.5,3,x\n",
                1_600_000_000_000u64 + i as u64 * 60_000
            )
        };
        let plain: Vec<String> = (0..200_000).map(row).collect();
        // A quoted field holding newlines, where a chunk boundary may fall, early or late; a
        // quoted field among the ignored ones.
        for (at, cell) in [
            (50_000, "\"a\nb\n\nc\""),
            (180_000, "\"a\nb\""),
            (199_999, "\"x\""),
        ] {
            let mut rows = plain.clone();
            rows[at] = rows[at].replacen(",x", &format!(",{cell}"), 1);
            let body = rows.concat();
            let one = parse_csv(body.as_bytes(), &spec()).unwrap();
            let many = parse_csv(body.as_bytes(), &threads).unwrap();
            assert_eq!(one.violation, None);
            assert_eq!(one, many, "quoted field at row {at}");
            assert_eq!(one.columns.len(), 200_000);
        }
        // An error before a quote is the error a single thread finds.
        let mut rows = plain.clone();
        rows[150_000] = rows[150_000].replacen(",x", ",\"never closed", 1);
        rows[100_000] = rows[100_000].replacen("1.5,2", "1.5,oops", 1);
        let body = rows.concat();
        let one = parse_csv(body.as_bytes(), &spec()).unwrap();
        assert_eq!(
            one.violation.as_ref().map(|v| (v.row, v.rule)),
            Some((100_002, "not_a_number"))
        ); // line 1 is the header
        assert_eq!(
            one.violation,
            parse_csv(body.as_bytes(), &threads).unwrap().violation
        );
    }
}

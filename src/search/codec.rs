//! The text encodings of the search index's files, shared with `cars.js`, which decodes
//! them. Everything is written with the 64 characters of URL-safe base64, so a file is
//! plain JSON that static hosts compress like any other (`application/json`; many do not
//! compress binary types), and gzip's Huffman stage brings one character per small code
//! close to the code's entropy.
//!
//! - A **code column** writes one code per car in a fixed number of characters (one for
//!   codes below 64, two below 4 096, three beyond), most significant first.
//! - A **number stream** writes unsigned numbers of any size, five bits per character,
//!   least significant first: `ALPHABET[0..32]` ends a number, `ALPHABET[32..64]` says more
//!   follow.
//! - A **set** of car numbers, sorted, is a number stream of runs: for each run of
//!   consecutive numbers, `(gap from the end of the previous run) * 2 + (longer than one)`,
//!   then `length - 2` when longer than one. The cars of a make or a model are one run.

/// URL-safe base64's alphabet: no character needs escaping in JSON or in a URL.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Characters a code column needs per code, for codes up to `max`.
pub fn width(max: u32) -> usize {
    match max {
        0..64 => 1,
        64..4096 => 2,
        _ => 3,
    }
}

/// `codes`, each in `width` characters.
pub fn column(codes: impl IntoIterator<Item = u32>, width: usize) -> String {
    let mut out = String::new();
    for code in codes {
        for digit in (0..width).rev() {
            out.push(ALPHABET[((code >> (6 * digit)) & 63) as usize] as char);
        }
    }
    out
}

/// Appends `n` to a number stream.
pub fn push_number(out: &mut String, mut n: u64) {
    loop {
        let low = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(ALPHABET[low] as char);
            return;
        }
        out.push(ALPHABET[32 + low] as char);
    }
}

/// A number stream of `numbers`.
pub fn numbers(numbers: impl IntoIterator<Item = u64>) -> String {
    let mut out = String::new();
    for n in numbers {
        push_number(&mut out, n);
    }
    out
}

/// A set of car numbers, which must be sorted and distinct.
pub fn set(cars: impl IntoIterator<Item = u32>) -> String {
    let mut out = String::new();
    let mut end = 0u64; // one past the last number of the previous run
    let mut run: Option<(u64, u64)> = None; // (start, length)
    let flush = |out: &mut String, end: &mut u64, (start, len): (u64, u64)| {
        push_number(out, ((start - *end) << 1) | u64::from(len > 1));
        if len > 1 {
            push_number(out, len - 2);
        }
        *end = start + len;
    };
    for car in cars {
        let car = u64::from(car);
        run = match run {
            Some((start, len)) if start + len == car => Some((start, len + 1)),
            Some(done) => {
                flush(&mut out, &mut end, done);
                Some((car, 1))
            }
            None => Some((car, 1)),
        };
    }
    if let Some(done) = run {
        flush(&mut out, &mut end, done);
    }
    out
}

pub mod decode {
    //! The decoders `cars.js` implements, for tests and tools that read the index.
    use super::ALPHABET;

    fn value(c: u8) -> u64 {
        ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u64
    }

    pub fn column(text: &str, width: usize) -> Vec<u32> {
        text.as_bytes()
            .chunks(width)
            .map(|digits| {
                digits
                    .iter()
                    .fold(0, |acc, &d| (acc << 6) | value(d) as u32)
            })
            .collect()
    }

    pub fn numbers(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        let (mut n, mut shift) = (0u64, 0);
        for &c in text.as_bytes() {
            let v = value(c);
            n |= (v & 31) << shift;
            shift += 5;
            if v < 32 {
                out.push(n);
                (n, shift) = (0, 0);
            }
        }
        out
    }

    pub fn set(text: &str) -> Vec<u32> {
        let numbers = numbers(text);
        let mut out = Vec::new();
        let (mut end, mut i) = (0u64, 0);
        while i < numbers.len() {
            let start = end + (numbers[i] >> 1);
            let len = if numbers[i] & 1 == 1 {
                i += 1;
                numbers[i] + 2
            } else {
                1
            };
            i += 1;
            out.extend((start..start + len).map(|c| c as u32));
            end = start + len;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_columns_round_trip_in_one_two_and_three_characters() {
        for (codes, max) in [
            (vec![0, 1, 63, 5], 63),
            (vec![0, 64, 4095, 77], 4095),
            (vec![4096, 0, 200_000], 200_000),
        ] {
            let w = width(max);
            let text = column(codes.clone(), w);
            assert_eq!(text.len(), codes.len() * w);
            assert_eq!(decode::column(&text, w), codes);
        }
    }

    #[test]
    fn number_streams_round_trip_small_and_large_numbers() {
        let ns = vec![0, 1, 31, 32, 1023, 1024, 99_999, u64::from(u32::MAX), 7];
        let text = numbers(ns.clone());
        assert_eq!(decode::numbers(&text), ns);
        assert_eq!(numbers([5]), "F", "a small number is one character");
    }

    #[test]
    fn sets_write_a_run_of_cars_in_two_numbers() {
        let run: Vec<u32> = (1000..6000).collect();
        let text = set(run.clone());
        assert!(text.len() <= 6, "{text}");
        assert_eq!(decode::set(&text), run);
        for cars in [
            vec![],
            vec![0],
            vec![0, 1, 2, 10, 12, 13, 99],
            vec![5, 7, 9, 11],
            vec![3, 4],
        ] {
            assert_eq!(decode::set(&set(cars.clone())), cars);
        }
    }
}

//! Measurements for the tests: levels, spectra (radix-2 FFT, Hann-windowed and averaged, after
//! P. D. Welch, IEEE Trans. Audio Electroacoust. 15(2), 1967), onsets and pitch.

use std::f32::consts::PI;

/// Peak level, dBFS.
pub fn peak_db(x: &[f32]) -> f32 {
    20.0 * x
        .iter()
        .fold(0.0_f32, |m, v| m.max(v.abs()))
        .max(1e-12)
        .log10()
}

/// In-place iterative radix-2 FFT (Cooley–Tukey); `re.len()` must be a power of two.
pub fn fft(re: &mut [f32], im: &mut [f32]) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let ang = -2.0 * PI / len as f32;
        let (wr, wi) = (ang.cos(), ang.sin());
        for start in (0..n).step_by(len) {
            let (mut cr, mut ci) = (1.0_f32, 0.0_f32);
            for k in 0..len / 2 {
                let (a, b) = (start + k, start + k + len / 2);
                let tr = re[b] * cr - im[b] * ci;
                let ti = re[b] * ci + im[b] * cr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
                let next = cr * wr - ci * wi;
                ci = cr * wi + ci * wr;
                cr = next;
            }
        }
        len <<= 1;
    }
}

/// Average power spectrum of `x` over up to `windows` Hann windows of `n` samples spread evenly
/// over the signal (windows that are silent are skipped). Bin `k` is `k × rate / n` Hz.
pub fn spectrum(x: &[f32], n: usize, windows: usize) -> Vec<f32> {
    let mut power = vec![0.0_f32; n / 2];
    let hann: Vec<f32> = (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f32 / n as f32).cos())
        .collect();
    let hop = ((x.len().saturating_sub(n)) / windows.max(1)).max(1);
    let mut start = 0;
    while start + n <= x.len() {
        let frame = &x[start..start + n];
        if frame.iter().any(|v| v.abs() > 1e-5) {
            let mut re: Vec<f32> = frame.iter().zip(&hann).map(|(a, b)| a * b).collect();
            let mut im = vec![0.0; n];
            fft(&mut re, &mut im);
            for (k, p) in power.iter_mut().enumerate() {
                *p += re[k] * re[k] + im[k] * im[k];
            }
        }
        start += hop;
    }
    power
}

/// Fraction of the spectrum's power between `lo_hz` and `hi_hz`.
pub fn band_fraction(power: &[f32], rate: f32, lo_hz: f32, hi_hz: f32) -> f32 {
    let n = power.len() * 2;
    let hz = |k: usize| k as f32 * rate / n as f32;
    let total: f32 = power.iter().skip(1).sum();
    let band: f32 = power
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(k, _)| (lo_hz..hi_hz).contains(&hz(*k)))
        .map(|(_, p)| p)
        .sum();
    band / total
}

/// The frequency below which half the spectrum's power lies, Hz.
pub fn median_hz(power: &[f32], rate: f32) -> f32 {
    let n = power.len() * 2;
    let total: f32 = power.iter().skip(1).sum();
    let mut acc = 0.0;
    for (k, p) in power.iter().enumerate().skip(1) {
        acc += p;
        if acc >= 0.5 * total {
            return k as f32 * rate / n as f32;
        }
    }
    rate / 2.0
}

/// The strongest frequency between `lo_hz` and `hi_hz`, Hz, refined by parabolic interpolation
/// of the log power around the peak bin.
pub fn peak_hz(power: &[f32], rate: f32, lo_hz: f32, hi_hz: f32) -> f32 {
    let n = power.len() * 2;
    let bin = |hz: f32| (hz * n as f32 / rate) as usize;
    let (lo, hi) = (bin(lo_hz).max(1), bin(hi_hz).min(power.len() - 2));
    let k = (lo..=hi)
        .max_by(|&a, &b| power[a].total_cmp(&power[b]))
        .expect("a range");
    let (a, b, c) = (
        power[k - 1].max(1e-30).ln(),
        power[k].max(1e-30).ln(),
        power[k + 1].max(1e-30).ln(),
    );
    let shift = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f32 + shift) * rate / n as f32
}

/// The power-weighted mean frequency between `lo_hz` and `hi_hz`, Hz: the centre of a tone
/// with vibrato (whose sidebands, symmetric about the carrier, can outweigh it).
pub fn centroid_hz(power: &[f32], rate: f32, lo_hz: f32, hi_hz: f32) -> f32 {
    let n = power.len() * 2;
    let (mut sum, mut weighted) = (0.0_f64, 0.0_f64);
    for (k, &p) in power.iter().enumerate() {
        let hz = k as f32 * rate / n as f32;
        if (lo_hz..hi_hz).contains(&hz) {
            sum += f64::from(p);
            weighted += f64::from(p) * f64::from(hz);
        }
    }
    (weighted / sum) as f32
}

/// Onsets of percussive hits: the 1 ms frames where the peak level of the last 12 ms rises
/// above 1.8 × its value 12 ms earlier and above −30 dBFS (at most one per 50 ms), each refined
/// to the first sample in those 12 ms that rises a quarter of the way from the old level to the
/// new peak. The 12 ms window spans half
/// a period of a 42 Hz kick, so the waveform's own swing does not count as an onset.
pub fn onsets(x: &[f32], rate: f32) -> Vec<usize> {
    let hop = (rate / 1000.0) as usize;
    let peaks: Vec<f32> = x
        .chunks(hop)
        .map(|c| c.iter().fold(0.0_f32, |m, v| m.max(v.abs())))
        .collect();
    let window = 12;
    let env: Vec<f32> = (0..peaks.len())
        .map(|i| {
            (0..window)
                .map(|k| peaks[(i + peaks.len() - k) % peaks.len()])
                .fold(0.0, f32::max)
        })
        .collect();
    let floor = 10.0_f32.powf(-30.0 / 20.0);
    let mut found = Vec::new();
    let mut last: Option<usize> = None;
    for i in 0..env.len() {
        let before = env[(i + env.len() - window) % env.len()];
        let rising = env[i] > 1.8 * before && env[i] > floor;
        if rising && last.is_none_or(|l| i - l > 50) {
            // The hit starts where the waveform first rises a quarter of the way from the
            // level before it to its new peak.
            let level = before + 0.25 * (env[i] - before);
            let start = (i + 1).saturating_sub(window) * hop;
            let end = ((i + 1) * hop).min(x.len());
            let first = (start..end).find(|&j| x[j].abs() >= level).unwrap_or(start);
            found.push(first);
            last = Some(i);
        }
    }
    found
}

/// Mean power of the 100 ms blocks above −50 dBFS RMS (the level while the part plays), dBFS.
pub fn active_rms_db(x: &[f32], rate: f32) -> f32 {
    let block = (rate / 10.0) as usize;
    let gate = 10.0_f32.powf(-50.0 / 10.0);
    let powers: Vec<f32> = x
        .chunks(block)
        .map(|c| c.iter().map(|v| v * v).sum::<f32>() / c.len() as f32)
        .filter(|&p| p > gate)
        .collect();
    10.0 * (powers.iter().sum::<f32>() / powers.len().max(1) as f32)
        .max(1e-12)
        .log10()
}

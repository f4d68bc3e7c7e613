//! Prints a synthetic site of N hosts (default 1,000): `cargo run --release
//! --example synth -- 10000 > site.kdl`. See bosun::synth.
fn main() {
    let hosts = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000);
    print!("{}", bosun::synth::site(bosun::synth::Spec::new(hosts)));
}

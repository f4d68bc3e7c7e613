//! A synthetic site of N hosts (default 1,000), see bosun::synth.
//!
//!     cargo run --release --example synth -- 10000 > site.kdl   # the site alone
//!     cargo run --release --example synth -- 10000 DIR         # DIR/site.kdl and its pack folders
fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let hosts = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let site = bosun::synth::site(bosun::synth::Spec::new(hosts));
    let Some(dir) = args.next() else {
        print!("{site}");
        return Ok(());
    };
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("site.kdl"), site)?;
    bosun::synth::write_pack_folders(dir)
}

// Rendering allocates millions of small strings on every core; mimalloc
// keeps that fast and the heap compact where glibc's allocator contends.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    bosun::cli::main()
}

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's driver (in the runtime `-sanitize=fuzzer` links): parses libFuzzer's flags from argv
/// and calls `callback` once per input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// Runs libFuzzer with this process's arguments and exits with its status. SwiftPM links an
/// executable's entry point under its own name, so libFuzzer's own `main` is never the one that
/// runs; each fuzz target's main.swift calls this instead.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

import CyberneticTUI

/// One fuzz input: a theme file (btop syntax, user supplied). Parsing must never crash; every
/// skipped line is reported with its number; the theme it yields must render every style and
/// gradient the dashboard asks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    precondition(ThemeParser.parse(text).problems.allSatisfy { $0.hasPrefix("line ") }, "a problem without its line")
    let (theme, _) = ThemeCatalog.theme(named: "fuzz", text: text)
    _ = (theme.text, theme.title, theme.highlight, theme.inactive)
    for prefix in ["cpu", "mem", "temp", "used", "free", "cached", "process", "available"] {
        let gradient = theme.gradient(prefix)
        for step in 0...10 { _ = gradient.at(Double(step) / 10) }
    }
    return 0
}

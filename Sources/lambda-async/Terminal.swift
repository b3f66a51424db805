#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What standard output is connected to.
enum Terminal {
    /// Output that is piped or redirected is wrapped at this width.
    static let pipeWidth = 100

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static var standardOutputWidth: Int {
        guard standardOutputIsTerminal else { return pipeWidth }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), columns > 0 { return columns }
        return 80
    }

    /// Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb.
    static var standardOutputSupportsColor: Bool {
        guard standardOutputIsTerminal else { return false }
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }
}

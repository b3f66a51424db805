/// One file of `Templates/`, as embedded in the binary.
struct TemplateFile: Sendable {
    /// Path under `Templates/`: `<language>/<folder>/<path in the project>`.
    let path: String
    /// Executable in the repository: `bootstrap` and extension scripts keep their bit.
    let executable: Bool
    let contents: String
}

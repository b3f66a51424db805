/// The tool's version, printed by `lambda-async --version`.
public enum LambdaAsyncVersion {
    public static let current = "0.1.0"
}

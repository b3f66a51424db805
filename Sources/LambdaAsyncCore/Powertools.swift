/// Powertools for AWS Lambda's public layers, which `new --powertools` adds, as their documentation
/// lists them. AWS publishes a new layer version with each release; bump these to move projects on.
public enum Powertools {
    /// When these versions were the current ones.
    public static let asOf = "2025-11"
    static let pythonAccount = "017000801446"
    static let pythonVersion = 27
    static let nodeAccount = "094274105915"
    static let nodeVersion = 44

    /// The layer's ARN as a CloudFormation `!Sub` string: its region is the stack's, and a Python
    /// layer's architecture the template's `Architecture` parameter. Nil for other runtimes.
    public static func layerARN(for runtime: LambdaRuntime) -> String? {
        switch runtime.family {
        case .python:
            let python = "python" + (runtime.pythonVersion ?? "").replacingOccurrences(of: ".", with: "")
            return "arn:${AWS::Partition}:lambda:${AWS::Region}:\(pythonAccount):layer:AWSLambdaPowertoolsPythonV3-\(python)-${Architecture}:\(pythonVersion)"
        case .node:
            return "arn:${AWS::Partition}:lambda:${AWS::Region}:\(nodeAccount):layer:AWSLambdaPowertoolsTypeScriptV2:\(nodeVersion)"
        default:
            return nil
        }
    }
}

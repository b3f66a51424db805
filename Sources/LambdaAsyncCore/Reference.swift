/// A page a fact of the comparison rests on: AWS's documentation first, a blog or announcement of
/// AWS's where the documentation does not state it.
public struct Reference: Sendable, Codable, Equatable, Hashable {
    public let id: String
    public let title: String
    public let url: String
}

extension Reference {
    /// Every page the catalog cites, by id.
    public static let all: [String: Reference] = Dictionary(uniqueKeysWithValues: [
        Reference(id: "async-invocation", title: "Invoking a Lambda function asynchronously",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html"),
        Reference(id: "async-error-handling", title: "Error handling and automatic retries in Lambda (asynchronous invocation)",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"),
        Reference(id: "async-destinations", title: "Capturing records of Lambda asynchronous invocations",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"),
        Reference(id: "quotas", title: "Lambda quotas", url: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
        Reference(id: "pricing", title: "AWS Lambda pricing", url: "https://aws.amazon.com/lambda/pricing/"),
        Reference(id: "init-billing", title: "AWS Lambda standardizes billing for INIT phase (effective 1 August 2025)",
                  url: "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"),
        Reference(id: "execution-environment", title: "Understanding the Lambda execution environment lifecycle",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"),
        Reference(id: "response-streaming", title: "Response streaming for Lambda functions",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html"),
        Reference(id: "streaming-functions", title: "Writing response streaming-enabled Lambda functions",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html"),
        Reference(id: "apigateway-streaming", title: "Stream the integration response for your proxy integrations in API Gateway",
                  url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html"),
        Reference(id: "url-auth", title: "Control access to Lambda function URLs", url: "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"),
        Reference(id: "extensions-api", title: "Using the Lambda Extensions API to create extensions",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html"),
        Reference(id: "runtime-api", title: "Using the Lambda runtime API for custom runtimes",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html"),
        Reference(id: "custom-runtime", title: "Building a custom runtime for AWS Lambda",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html"),
        Reference(id: "nodejs-handler", title: "Define Lambda function handler in Node.js",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html"),
        Reference(id: "managed-instances", title: "Lambda Managed Instances",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html"),
        Reference(id: "managed-instances-environment", title: "Understanding the Lambda Managed Instances execution environment",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html"),
        Reference(id: "managed-instances-runtimes", title: "Lambda Managed Instances runtimes",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html"),
        Reference(id: "emulator-managed-instances",
                  title: "AWS Lambda Runtime Interface Emulator, Managed Instances mode (external extensions may register for SHUTDOWN only, internal ones for nothing)",
                  url: "https://github.com/aws/aws-lambda-runtime-interface-emulator/tree/main/internal/lambda-managed-instances"),
        Reference(id: "durable-concepts", title: "Lambda durable functions: basic concepts",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html"),
        Reference(id: "durable-invoking", title: "Invoking Lambda durable functions",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/durable-invoking.html"),
        Reference(id: "durable-configuration", title: "Configure Lambda durable functions",
                  url: "https://docs.aws.amazon.com/lambda/latest/dg/durable-configuration.html"),
        Reference(id: "sam-durableconfig", title: "AWS SAM: DurableConfig",
                  url: "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-durableconfig.html"),
        Reference(id: "tenant-isolation", title: "Tenant isolation", url: "https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation.html"),
    ].map { ($0.id, $0) })
}

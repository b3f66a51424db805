import ArgumentParser
import LambdaAsyncAWS
import LambdaAsyncEnvironment
import LambdaAsyncService

/// Where the functions' calls to AWS go when they run locally: nowhere real unless asked.
struct AWSAccessOptions: ParsableArguments {
    @Flag(help: "Hand the functions this shell's AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so their calls to other services reach your real account; without it they get placeholders and such calls fail.")
    var awsCredentials = false

    @Option(help: ArgumentHelp("Send the functions' calls to other AWS services to this endpoint (AWS_ENDPOINT_URL), for example moto's server or LocalStack; calls to Lambda still come to lambda-async.", valueName: "url"))
    var awsEndpointUrl: String?

    func validate() throws {
        if let awsEndpointUrl, !(awsEndpointUrl.hasPrefix("http://") || awsEndpointUrl.hasPrefix("https://")) {
            throw ValidationError("--aws-endpoint-url takes an http:// or https:// URL; got \(awsEndpointUrl)")
        }
    }

    func apply(to options: inout Sandbox.Options) { options.hostCredentials = awsCredentials }

    func apply(to options: inout LocalLambda.Options) {
        apply(to: &options.environment)
        options.endpointURL = awsEndpointUrl
        // AWS_IAM URLs and routes take requests signed with this shell's keys, and only those.
        let verifier = SigV4Verifier(credentials: SigV4Verifier.shellCredentials().map { [$0] } ?? [])
        options.checkSignature = { request in
            switch verifier.verify(method: request.method, path: request.path, query: request.query, headers: request.headers,
                                   body: request.body, service: request.service) {
            case .valid(let accessKey): return .signedBy(accessKey)
            case .unsigned: return .unsigned
            case .refused(let reason): return .refused(reason)
            }
        }
    }
}

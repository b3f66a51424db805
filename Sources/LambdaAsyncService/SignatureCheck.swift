import Foundation

/// A request to an `AWS_IAM` function URL or API route, as signed: what a signature check reads.
public struct SignedRequest: Sendable {
    public let method: String
    /// The path the client asked for (the whole of it: `/urls/NAME/...` for a URL), percent-encoded as sent.
    public let path: String
    public let query: String
    public let headers: [(String, String)]
    public let body: [UInt8]
    /// `lambda` for a URL, `execute-api` for a route.
    public let service: String
}

/// What a signature check concludes.
public enum SignatureCheck: Sendable, Equatable {
    /// Signed with SigV4 for the service, by this access key, and the signature holds.
    case signedBy(String)
    /// Not signed for the service.
    case unsigned
    /// Signed, but the service would not take it: why.
    case refused(String)

    /// Without a checker: any SigV4 signature for the service will do, as before signatures were
    /// checked (embedders that set none).
    static func presence(_ request: SignedRequest) -> SignatureCheck {
        FunctionURL.signingAccessKey(headers: request.headers, query: request.query, service: request.service).map { .signedBy($0) } ?? .unsigned
    }
}

import LambdaAsyncEnvironment
import LambdaAsyncProject

/// A function URL's CORS, as Lambda applies it: the URL answers preflight requests itself, without
/// invoking the function, and puts its own CORS headers on the function's responses in place of any
/// the function sent.
extension SAMTemplate.FunctionURLConfig.CORS {
    static func isPreflight(method: String, headers: [(String, String)]) -> Bool {
        method == "OPTIONS" && value("origin", in: headers) != nil && value("access-control-request-method", in: headers) != nil
    }

    /// The preflight answer's headers; none when the origin is not allowed, which the browser reads as a refusal.
    func preflightHeaders(_ request: [(String, String)]) -> [(String, String)] {
        guard let origin = Self.value("origin", in: request), let allowed = allowedOrigin(origin) else { return [] }
        var headers = [("Access-Control-Allow-Origin", allowed), ("Vary", "Origin")]
        if !allowMethods.isEmpty {
            let asked = Self.value("access-control-request-method", in: request) ?? ""
            headers.append(("Access-Control-Allow-Methods", allowMethods.contains("*") ? asked : allowMethods.joined(separator: ",")))
        }
        if !allowHeaders.isEmpty {
            let asked = Self.value("access-control-request-headers", in: request) ?? ""
            headers.append(("Access-Control-Allow-Headers", allowHeaders.contains("*") ? asked : allowHeaders.joined(separator: ",")))
        }
        if maxAge > 0 { headers.append(("Access-Control-Max-Age", String(maxAge))) }
        if allowCredentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        return headers
    }

    /// The function's response headers with the URL's CORS headers in place of the function's own.
    func responseHeaders(_ response: [(String, String)], request: [(String, String)]) -> [(String, String)] {
        var headers = response.filter { !$0.0.lowercased().hasPrefix("access-control-") }
        guard let origin = Self.value("origin", in: request), let allowed = allowedOrigin(origin) else { return headers }
        headers += [("Access-Control-Allow-Origin", allowed), ("Vary", "Origin")]
        if !exposeHeaders.isEmpty { headers.append(("Access-Control-Expose-Headers", exposeHeaders.joined(separator: ","))) }
        if allowCredentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        return headers
    }

    /// `*`, or the origin itself when listed (or when credentials are allowed, which rule `*` out).
    private func allowedOrigin(_ origin: String) -> String? {
        if allowOrigins.contains("*") { return allowCredentials ? origin : "*" }
        return allowOrigins.contains { $0.caseInsensitiveCompare(origin) == .orderedSame } ? origin : nil
    }

    private static func value(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }
}

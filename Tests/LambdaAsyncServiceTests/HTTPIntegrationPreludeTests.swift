import Testing
@testable import LambdaAsyncService

/// One splitter of a stream's HTTP integration prelude, for function URLs and `invoke` alike.
@Suite struct HTTPIntegrationPreludeTests {
    let nul = [UInt8](repeating: 0, count: 8)

    @Test func aPreludeIsHeldUntilItsDelimiterThenSplit() {
        let prelude = Array(#"{"statusCode": 201}"#.utf8)
        #expect(HTTPIntegrationPrelude.split([]) == .incomplete)
        #expect(HTTPIntegrationPrelude.split(prelude) == .incomplete)
        #expect(HTTPIntegrationPrelude.split(prelude + nul.prefix(7)) == .incomplete)
        #expect(HTTPIntegrationPrelude.split(prelude + nul + Array("body".utf8)) == .prelude(prelude, rest: Array("body".utf8)))
        let (answer, rest) = FunctionURL.prelude(in: prelude + nul + Array("hi".utf8))!
        #expect(answer.status == 201 && rest == Array("hi".utf8))
    }

    @Test func aStreamThatIsNotAPreludeIsBodyAtOnceOrPast64KiB() {
        #expect(HTTPIntegrationPrelude.split(Array("plain".utf8)) == .body)
        // Starts like JSON but never delimits: held up to the limit, then all body.
        let json = Array("{".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: HTTPIntegrationPrelude.limit - 1)
        #expect(HTTPIntegrationPrelude.split(json) == .incomplete)
        #expect(HTTPIntegrationPrelude.split(json + Array("b".utf8)) == .body)
        #expect(FunctionURL.prelude(in: json + Array("b".utf8))?.rest.count == HTTPIntegrationPrelude.limit + 1)
    }
}

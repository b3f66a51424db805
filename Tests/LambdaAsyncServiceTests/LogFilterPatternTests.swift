import Foundation
import Testing
@testable import LambdaAsyncService

/// CloudWatch Logs filter patterns as serve's FilterLogEvents applies them to this run's function logs.
@Suite struct LogFilterPatternTests {
    let record = #"{"level": "INFO", "message": "step done", "executionArn": "arn-1", "attempt": 2, "retried": true, "nested": {"id": "x-7"}}"#

    @Test func termsPhrasesAlternativesAndExclusions() throws {
        #expect(try LogFilterPattern.parse(nil).matches("anything"))
        #expect(try LogFilterPattern.parse("step done").matches(record))
        #expect(try !LogFilterPattern.parse("step missing").matches(record))
        #expect(try LogFilterPattern.parse(#""step done""#).matches(record))
        #expect(try !LogFilterPattern.parse(#""done step""#).matches(record))
        #expect(try LogFilterPattern.parse("?nothing ?INFO").matches(record))
        #expect(try !LogFilterPattern.parse("INFO -retried").matches(record))
    }

    @Test func jsonPatternsCompareFieldsOfAStructuredRecord() throws {
        // What AWS's conformance suite asks for: one execution's records.
        let execution = #"{ ($.durableExecutionArn = "arn-1") || ($.executionArn = "arn-1") }"#
        #expect(try LogFilterPattern.parse(execution).matches(record))
        #expect(try !LogFilterPattern.parse(execution.replacingOccurrences(of: "arn-1", with: "arn-2")).matches(record))
        #expect(try LogFilterPattern.parse(#"{ $.attempt = 2 && $.retried = true }"#).matches(record))
        #expect(try !LogFilterPattern.parse(#"{ $.attempt != 2 }"#).matches(record))
        #expect(try LogFilterPattern.parse(#"{ $.nested.id = "x-*" }"#).matches(record))
        // A line that is not JSON matches no JSON pattern.
        #expect(try !LogFilterPattern.parse(#"{ $.level = "INFO" }"#).matches("INFO plain text"))
    }

    @Test func whatIsNotServedIsRefusedNotGuessed() {
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern.parse("[ip, user, status=404]") }
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern.parse(#"{ $.attempt > 1 }"#) }
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern.parse(#"{ ($.a = 1 }"#) }
        // A hostile client's nesting stops at CloudWatch's 1024 characters, before it could exhaust the stack.
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern.parse("{ " + String(repeating: "(", count: 100_000) + " }") }
    }
}

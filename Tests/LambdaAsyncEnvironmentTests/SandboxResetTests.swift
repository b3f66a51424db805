import Foundation
import NIOCore
import Testing
import TestSupport
@testable import LambdaAsyncEnvironment

/// A real environment (a Python runtime, no isolation) reset twice at once, as a code edit seen twice
/// or a crash during a reload does: the second reset ends with the first, and the environment starts
/// cold again afterwards. The earlier code declared it cold at the second reset, and the first reset's
/// end then hit an invalid transition (a crash of `serve` in a debug build).
@Suite(.timeLimit(.minutes(2))) struct SandboxResetTests {
    @Test func twoResetsAtOnceEndTheEnvironmentOnce() async throws {
        let code = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: code) }
        try "import os\ndef handler(event, context):\n    return {'pid': os.getpid()}\n"
            .write(to: code.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        var options = Sandbox.Options()
        options.log = { _ in }
        let sandbox = try Sandbox(config: FunctionConfig(name: "Fn", runtime: .defaultPython, handler: "app.handler", code: code),
                                  options: options)
        let first = try await sandbox.invoke(Array("{}".utf8))
        #expect(first.error == nil && first.initDurationMs != nil)

        try await sandbox.eventLoop.flatSubmit {
            let one = sandbox.reset(reason: "spindown")
            let two = sandbox.reset(reason: "spindown")
            #expect(sandbox.lifecycle.state == .resetting, "the second reset left the first one's state alone")
            return one.and(two).map { _ in
                #expect(sandbox.lifecycle.state == .cold)
            }
        }.get()

        // A reset of the environment once it has ended (an edit's second notice, after the first
        // reset finished): nothing to end. It crashed serve in CI with "no transition from cold on resetDone".
        try await sandbox.eventLoop.flatSubmit { sandbox.reset(reason: "spindown") }.get()
        #expect(try await sandbox.eventLoop.submit { sandbox.lifecycle.state }.get() == .cold)

        let second = try await sandbox.invoke(Array("{}".utf8))
        #expect(second.error == nil && second.initDurationMs != nil, "the next invocation starts cold")
        await sandbox.shutdown()
    }
}

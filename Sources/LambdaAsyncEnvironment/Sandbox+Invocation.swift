import Foundation
import NIOCore

extension Sandbox {
    /// Confined to the sandbox's event loop, like the sandbox itself.
    /// @unchecked Sendable: as the sandbox, confined to its event loop.
    final class Invocation: @unchecked Sendable {
        let id: String
        let payload: [UInt8]
        let onResponse: @Sendable (ResponseEvent) -> Void
        let done: EventLoopPromise<InvocationRecord>
        let clientStart: UInt64
        /// When the runtime got the event; nil while it waits in the queue or for init.
        var deliveredAt: UInt64?
        var deadlineMs: Int64 = 0
        var responseAt: UInt64?
        /// When the client got the response's first byte: its first streamed chunk, or the whole buffered response.
        var firstByteAt: UInt64?
        var runtimeDoneAt: UInt64?
        var streaming = false
        var streamedBytes = 0
        var error: String?
        var timer: Scheduled<Void>?
        var finished = false
        /// The environment ended while its work after the response went on.
        var interrupted = false
        var traceHeader: String?
        /// Set when init was retried inside this invocation: its duration and timeout count from here.
        var suppressedInitStart: UInt64?
        var extras = InvocationExtras()
        /// The lines logged during the invocation, kept when `extras.tailLog` asks for them.
        var log: [String] = []

        init(id: String?, payload: [UInt8], clientStart: UInt64, onResponse: @escaping @Sendable (ResponseEvent) -> Void,
             done: EventLoopPromise<InvocationRecord>) {
            self.id = id ?? UUID().uuidString.lowercased()
            self.payload = payload
            self.clientStart = clientStart
            self.onResponse = onResponse
            self.done = done
        }
    }
}

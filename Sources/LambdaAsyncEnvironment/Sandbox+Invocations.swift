import Foundation
import LambdaAsyncCore
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// One invocation from delivery to its end: the event to the runtime and extensions, the response
/// to the client, the record, the freeze; errors, timeouts and crashes.
extension Sandbox {
    // MARK: Invocations

    func begin(_ invocation: Invocation) {
        move(.deliver(invocation))
        thawEnvironment()
        processes.limitCPUOnce(memoryMB: options.cpuLimit ? config.memoryMB : nil)
        telemetry.record("platform.start", ["requestId": invocation.id, "version": "$LATEST"])
        // Thawed: the batches that fell due while frozen go now, the rest when their buffering says.
        telemetry.flush()
        telemetry.startFlushing(on: eventLoop) { [weak self] in self?.processes.frozen ?? true }
        // A suppressed init has already spent part of the timeout.
        let spent = invocation.suppressedInitStart.map { Int64(milliseconds(from: $0, to: now())) } ?? 0
        let remaining = max(0, Int64(config.timeoutSeconds * 1000) - spent)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + remaining
        invocation.deadlineMs = deadline
        invocation.timer = eventLoop.scheduleTask(in: .milliseconds(remaining)) { [weak self] in
            self?.timeOut(invocation)
        }
        extensions.deliver("INVOKE", [
            "eventType": "INVOKE", "deadlineMs": deadline, "requestId": invocation.id,
            "invokedFunctionArn": config.functionARN,
            "tracing": ["type": "X-Amzn-Trace-Id", "value": traceHeader(invocation)],
        ])
        if let waiter = runtimeWaiter {
            runtimeWaiter = nil
            waiter.succeed(nextResponse(invocation))
        }
    }

    func traceHeader(_ invocation: Invocation) -> String {
        if let header = invocation.traceHeader { return header }
        let header = "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(invocation.id.replacingOccurrences(of: "-", with: "").prefix(24));Parent=\(invocation.id.prefix(8))00000000;Sampled=0"
        invocation.traceHeader = header
        return header
    }

    /// The answer to the runtime's /next: the event, and the clock starts.
    func nextResponse(_ invocation: Invocation) -> APIResponse {
        invocation.deliveredAt = now()
        var headers = [
            ("Lambda-Runtime-Aws-Request-Id", invocation.id),
            ("Lambda-Runtime-Deadline-Ms", String(invocation.deadlineMs)),
            ("Lambda-Runtime-Invoked-Function-Arn", config.functionARN),
            ("Lambda-Runtime-Trace-Id", traceHeader(invocation)),
            ("Content-Type", "application/json"),
        ]
        // Only when it has a value, as Lambda sends it.
        if let clientContext = invocation.extras.clientContext { headers.append(("Lambda-Runtime-Client-Context", clientContext)) }
        if let tenant = invocation.extras.tenantId { headers.append(("Lambda-Runtime-Aws-Tenant-Id", tenant)) }
        return APIResponse(status: .ok, headers: headers, body: invocation.payload)
    }

    func respond(_ invocation: Invocation, _ event: ResponseEvent, error: String? = nil) {
        guard invocation.responseAt == nil else { return }
        invocation.responseAt = now()
        if invocation.firstByteAt == nil { invocation.firstByteAt = invocation.responseAt }
        if lifecycle.state == .invoking { move(.respond) }
        invocation.error = error
        invocation.onResponse(event)
    }

    /// The invocation ends when the runtime and every INVOKE-subscribed extension have asked for more.
    func checkInvocationDone() {
        guard let invocation = current, !invocation.finished, invocation.runtimeDoneAt != nil,
              !extensions.anyBusy else { return }
        if invocation.responseAt == nil {
            respond(invocation, .complete(Array("null".utf8)))
        }
        finish(invocation, frozen: options.freeze)
    }

    /// Measures an invocation that just ended; its times count from the invoke's delivery.
    func record(for invocation: Invocation, timedOut: Bool = false) -> InvocationRecord {
        invocation.finished = true
        invocation.timer?.cancel()
        let start = invocation.suppressedInitStart ?? invocation.deliveredAt ?? invocation.clientStart
        defer { initDurationMs = nil }
        var record = Metering(
            requestId: invocation.id, start: start, clientStart: invocation.clientStart, responseAt: invocation.responseAt,
            firstByteAt: invocation.firstByteAt,
            runtimeDoneAt: invocation.runtimeDoneAt, extensionDoneMs: extensions.doneTimes(since: start), timedOut: timedOut,
            timeoutMs: config.timeoutSeconds * 1000, initDurationMs: initDurationMs, memorySizeMB: config.memoryMB,
            maxMemoryUsedMB: maxMemoryMB(), error: invocation.error).record
        record.interrupted = invocation.interrupted
        telemetry.record("platform.report", [
            "requestId": invocation.id, "metrics": Metering.reportMetrics(record),
            "status": invocation.error == nil ? "success" : (invocation.error == "Sandbox.Timedout" ? "timeout" : "error"),
        ])
        if invocation.extras.tailLog { tailing = invocation }
        return record
    }

    /// Hands the record to the caller. With the log's tail asked for, a moment later: a line the
    /// function printed just before it answered may still be on its way through the pipe.
    func complete(_ invocation: Invocation, _ record: InvocationRecord) {
        guard invocation.extras.tailLog else { return invocation.done.succeed(record) }
        eventLoop.scheduleTask(in: .milliseconds(20)) { [self] in
            var record = record
            record.executionLog = (["START RequestId: \(invocation.id) Version: $LATEST"] + invocation.log
                                   + ["END RequestId: \(invocation.id)", record.reportLine]).joined(separator: "\n") + "\n"
            if tailing === invocation { tailing = nil }
            invocation.done.succeed(record)
        }
    }

    func finish(_ invocation: Invocation, frozen freeze: Bool) {
        move(.finish(freeze: freeze))
        var result = record(for: invocation)
        if freeze {
            freezeEnvironment()
            result.frozen = true
        }
        complete(invocation, result)
    }

    /// Ends an invocation with an error and resets the environment: the next invocation is cold.
    func abort(_ invocation: Invocation, type: String, message: String, timedOut: Bool = false) {
        respond(invocation, .error(type: type, body: Array(Self.errorJSON(type, message))), error: type)
        invocation.error = type
        // A crash ends the runtime's part of the invocation where it happened.
        if invocation.runtimeDoneAt == nil, invocation.deliveredAt != nil { invocation.runtimeDoneAt = now() }
        // Measured before the reset, which kills the processes whose memory it reports.
        let result = record(for: invocation, timedOut: timedOut)
        reset(reason: timedOut ? "timeout" : "failure").whenComplete { [self] _ in complete(invocation, result) }
    }

    func timeOut(_ invocation: Invocation) {
        guard !invocation.finished else { return }
        let message = "RequestId: \(invocation.id) Error: Task timed out after \(String(format: "%.2f", config.timeoutSeconds)) seconds"
        options.log(message)
        abort(invocation, type: "Sandbox.Timedout", message: message, timedOut: true)
    }

    func processExited(pid: pid_t, name: String, status: Int32, isRuntime: Bool) {
        let description = SandboxProcess.describe(status)
        // By pid: a process of an environment already reset may share a name with one of this one.
        guard processes.owns(pid: pid, isRuntime: isRuntime) else { return }
        options.log("\(isRuntime ? "runtime" : "extension \(name)") exited: \(description)")
        if pendingInit != nil {
            // A runtime that said init/error before it exited keeps that reason.
            failInit(type: isRuntime ? "Runtime.ExitError" : "Extension.Crash",
                     message: isRuntime ? "Runtime exited with error: \(description)" : "Extension \(name) exited with error: \(description)",
                     error: RunnerError.cannotStart(name, description), keepEarlierReason: true)
            return
        }
        guard let invocation = current, !invocation.finished else {
            // Died between invocations: the next invocation starts cold.
            _ = reset(reason: "failure")
            return
        }
        if isRuntime {
            // Killed by the kernel for going over MemorySize: Lambda's out-of-memory error.
            let outOfMemory = processes.outOfMemoryKilled
            if outOfMemory { processes.reachedLimit(memoryMB: config.memoryMB) }
            abort(invocation, type: outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError",
                  message: "RequestId: \(invocation.id) Error: Runtime exited with error: \(description)")
        } else {
            let type = extensions.exitErrors.contains(name) ? "Extension.ExitError" : "Extension.Crash"
            abort(invocation, type: type, message: "RequestId: \(invocation.id) Error: extension \(name) exited with error: \(description)")
        }
    }
}

import Foundation
import LambdaAsyncEnvironment
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Writes one HTTP response from any thread: head, body chunks as they come, end.
/// Every write hops onto the channel's event loop.
final class ResponseWriter: Sendable {
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let handler: NIOLoopBound<ServeHandler>
    private let eventLoop: EventLoop
    private let version: HTTPVersion
    private let keepAlive: Bool

    init(context: ChannelHandlerContext, handler: ServeHandler, version: HTTPVersion, keepAlive: Bool) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.handler = NIOLoopBound(handler, eventLoop: context.eventLoop)
        eventLoop = context.eventLoop
        self.version = version
        self.keepAlive = keepAlive
    }

    /// Without a length the body is sent chunked, as it arrives.
    func head(_ status: Int, _ headers: [(String, String)], length: Int? = nil) {
        eventLoop.execute { [self] in
            var fields = HTTPHeaders(headers)
            if let length { fields.replaceOrAdd(name: "Content-Length", value: String(length)) }
            if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: fields)
            context.value.writeAndFlush(handler.value.wrapOutboundOut(.head(head)), promise: nil)
        }
    }

    func chunk(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        eventLoop.execute { [self] in
            var buffer = context.value.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.value.writeAndFlush(handler.value.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            // Past the channel's high water mark: the stream's source waits until the client reads.
            if !context.value.channel.isWritable { handler.value.flow?.block() }
        }
    }

    /// The flow of the streamed response this writer sends: held back while the client cannot take more.
    func follow(_ flow: StreamFlow) {
        eventLoop.execute { [self] in handler.value.flow = flow }
    }

    func end() {
        Self.unfinished.withLockedValue { $0.count += 1 }
        eventLoop.execute { [self] in
            let done = context.value.writeAndFlush(handler.value.wrapOutboundOut(.end(nil)))
            if keepAlive { handler.value.responseEnded(context: context.value) }
            done.whenComplete { _ in
                let drained = Self.unfinished.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                    state.count -= 1
                    return state.count == 0 ? state.takeWaiters() : []
                }
                drained.forEach { $0.resume() }
            }
            if !keepAlive { done.whenComplete { [context] _ in context.value.close(promise: nil) } }
        }
    }

    /// Responses ended but not yet written out, in the whole process: a stop waits for them, so an
    /// answer given as the runner stops (Sandbox.Stopped) reaches its caller before the process exits.
    static let unfinished = NIOLockedValueBox(Unfinished())

    struct Unfinished {
        var count = 0
        /// Who waits in `drain`: resumed when the count reaches 0, or at their timeout.
        var waiters: [CheckedContinuation<Void, Never>] = []

        mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { waiters = [] }
            return waiters
        }
    }

    /// Returns once every ended response is written, or after `timeout` seconds (a client that
    /// stopped reading never lets its response finish).
    static func drain(timeout: TimeInterval = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let written = unfinished.withLockedValue { state in
                if state.count == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if written { return continuation.resume() }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                unfinished.withLockedValue { $0.takeWaiters() }.forEach { $0.resume() }
            }
        }
    }

    func send(_ status: Int, _ headers: [(String, String)], _ body: [UInt8]) {
        head(status, headers, length: body.count)
        chunk(body)
        end()
    }
}

/// What `serve` answers on its HTTP port.
protocol ServeRouter: AnyObject, Sendable {
    func handle(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter)
}

/// One client connection of `serve`. It lives on its channel's event loop; writers reach it through
/// NIOLoopBound (not Sendable). It holds the connection to `ClientLimits`: a request must arrive
/// whole within its timeout (else 408 and closed), a kept-alive connection idle past its timeout is
/// closed, and a connection past the limit takes the place of the one idle longest.
final class ServeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest body any door takes (API Gateway's 10 MB; the Invoke API and URLs refuse past
    /// their own limits): past it a request is refused here, its body counted but never kept.
    static let bodyLimit = 10 * 1_048_576

    private let router: ServeRouter
    private let connections: ClientConnections
    private var head: HTTPRequestHead?
    private var body = BoundedBody(limit: ServeHandler.bodyLimit)
    /// The request being received must be whole by then; the idle connection is closed then.
    private var requestDeadline: Scheduled<Void>?
    /// The streamed response being sent, whose source waits while this client cannot take more.
    var flow: StreamFlow?
    private var idleDeadline: Scheduled<Void>?

    init(router: ServeRouter, connections: ClientConnections) {
        self.router = router
        self.connections = connections
    }

    func channelActive(context: ChannelHandlerContext) {
        guard connections.admit(context.channel) else {
            // Full, and every connection has a request in progress: this one cannot be served now.
            context.close(promise: nil)
            return
        }
        waitIdle(context: context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flow?.unblock() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A client gone takes nothing more: the source goes on, its bytes dropped.
        flow?.unblock()
        flow = nil
        connections.remove(context.channel)
        requestDeadline?.cancel()
        idleDeadline?.cancel()
        context.fireChannelInactive()
    }

    /// The response went out and the connection stays: it is idle until the next request.
    func responseEnded(context: ChannelHandlerContext) {
        flow?.unblock()
        flow = nil
        guard context.channel.isActive, head == nil else { return }
        connections.setIdle(context.channel, true)
        waitIdle(context: context)
    }

    private func waitIdle(context: ChannelHandlerContext) {
        idleDeadline?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        idleDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(connections.limits.idleTimeout * 1000))) {
            bound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.reset()
            idleDeadline?.cancel()
            connections.setIdle(context.channel, false)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            requestDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(connections.limits.requestTimeout * 1000))) {
                let (handler, context) = bound.value
                handler.requestTimedOut(context: context)
            }
        case .body(var buffer):
            body.append(&buffer)
        case .end:
            requestDeadline?.cancel()
            guard let head else { return }
            if body.isOverLimit {
                // Answered and closed: what a client sends past the limit is not worth reading on.
                let message = #"{"message":"Request Entity Too Large: the body has \#(body.size) bytes, more than any Lambda front door takes (\#(Self.bodyLimit))"}"#
                ResponseWriter(context: context, handler: self, version: head.version, keepAlive: false)
                    .send(413, [("Content-Type", "application/json"), ("X-Amzn-ErrorType", "RequestEntityTooLargeException")], Array(message.utf8))
            } else {
                let writer = ResponseWriter(context: context, handler: self, version: head.version, keepAlive: head.isKeepAlive)
                router.handle(method: head.method, uri: head.uri, headers: head.headers, body: body.bytes, writer: writer)
            }
            self.head = nil
            body.reset()
        }
    }

    /// A request still arriving at its deadline: 408, as a front door answers a client too slow to send.
    private func requestTimedOut(context: ChannelHandlerContext) {
        guard let head else { return }
        self.head = nil
        body.reset()
        let message = #"{"message":"Request Timeout: the request did not arrive whole within \#(connections.limits.requestTimeout) s"}"#
        ResponseWriter(context: context, handler: self, version: head.version, keepAlive: false)
            .send(408, [("Content-Type", "application/json")], Array(message.utf8))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

enum ServeServer {
    static func start(router: ServeRouter, group: EventLoopGroup, host: String, port: Int, limits: ClientLimits) throws -> Channel {
        let connections = ClientConnections(limits: limits)
        return try HTTPServer.bind(group: group, host: host, port: port) { ServeHandler(router: router, connections: connections) }
    }
}

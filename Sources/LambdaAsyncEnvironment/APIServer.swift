import Foundation
import LambdaAsyncCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// A response of the local Runtime or Extensions API.
package struct APIResponse {
    package var status: HTTPResponseStatus
    package var headers: [(String, String)] = []
    package var body: [UInt8] = []

    package init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package static func json(_ status: HTTPResponseStatus, _ object: Any, headers: [(String, String)] = []) -> APIResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    /// An error of the Lambda service API (Invoke), in the shape AWS SDKs parse: the type in
    /// `X-Amzn-ErrorType`, the message in the body.
    package static func serviceError(_ status: HTTPResponseStatus, _ type: String, _ message: String) -> APIResponse {
        json(status, ["Type": "User", "message": message], headers: [("X-Amzn-ErrorType", type)])
    }

    /// Lambda's error body: `{"errorMessage": ..., "errorType": ...}`.
    package static func error(_ status: HTTPResponseStatus, _ type: String, _ message: String) -> APIResponse {
        json(status, ["errorType": type, "errorMessage": message])
    }
}

/// What the sandbox does with requests; every call arrives on the sandbox's event loop.
protocol APIRouter: AnyObject, Sendable {
    var eventLoop: EventLoop { get }
    /// A request with its whole body (long polls answer later through the future).
    func handle(method: HTTPMethod, path: String, headers: HTTPHeaders, body: [UInt8]) -> EventLoopFuture<APIResponse>
    /// A streamed `/response`: chunks as they arrive, then the trailers.
    func beginStream(requestId: String) -> APIResponse?
    /// Returns how fast the stream's reader takes it, when the caller said.
    func streamChunk(requestId: String, _ bytes: [UInt8]) -> StreamFlow?
    func endStream(requestId: String, trailers: HTTPHeaders?) -> APIResponse
    /// A `/response` with a `Lambda-Runtime-Function-Response-Mode` other than streaming fails the invocation.
    func invalidResponseMode(requestId: String, mode: String) -> APIResponse
    /// A request whose body went past `APIHandler.bodyLimit`: refused (and a `/response` fails its
    /// invocation), without the body, which was not kept.
    func refuseOversized(method: HTTPMethod, path: String, size: Int) -> EventLoopFuture<APIResponse>
}

/// One HTTP/1.1 connection of the runtime, an extension, or a client library.
/// It lives on its channel's event loop, the loop its router is bound to (never shared: not Sendable).
final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// No API takes more than a buffered response (6 MB): past that a body is counted, not kept.
    static let bodyLimit = LambdaQuotas.runtimeResponseBytes

    private let router: APIRouter
    private var head: HTTPRequestHead?
    private var body = BoundedBody(limit: APIHandler.bodyLimit)
    private var streamingRequestId: String?
    private var streamRefusal: APIResponse?

    init(router: APIRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.reset()
            streamingRequestId = nil
            streamRefusal = nil
            let parts = head.uri.split(separator: "/")
            // POST /2018-06-01/runtime/invocation/{id}/response in streaming mode goes chunk by chunk.
            if head.method == .POST, parts.count == 5, parts[3] != "next", parts[4] == "response",
               let mode = head.headers.first(name: "Lambda-Runtime-Function-Response-Mode") {
                if mode.lowercased() == "streaming" {
                    let id = String(parts[3])
                    streamRefusal = router.beginStream(requestId: id)
                    if streamRefusal == nil { streamingRequestId = id }
                } else {
                    streamRefusal = router.invalidResponseMode(requestId: String(parts[3]), mode: mode)
                }
            }
        case .body(var buffer):
            if let id = streamingRequestId {
                let flow = router.streamChunk(requestId: id, buffer.readBytes(length: buffer.readableBytes) ?? [])
                // The reader is full: nothing more is read from the runtime until it takes more.
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                let paused = flow?.whenReady {
                    eventLoop.execute {
                        bound.value.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                        bound.value.read()
                    }
                } ?? false
                if paused { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
            } else if streamRefusal == nil {
                body.append(&buffer)
            }
        case .end(let trailers):
            guard let head else { return }
            let future: EventLoopFuture<APIResponse>
            if let refusal = streamRefusal {
                future = context.eventLoop.makeSucceededFuture(refusal)
            } else if let id = streamingRequestId {
                future = context.eventLoop.makeSucceededFuture(router.endStream(requestId: id, trailers: trailers))
            } else if body.isOverLimit {
                future = router.refuseOversized(method: head.method, path: head.uri, size: body.size)
            } else {
                future = router.handle(method: head.method, path: head.uri, headers: head.headers, body: body.bytes)
            }
            let keepAlive = head.isKeepAlive
            let version = head.version
            // The sandbox answers on this channel's event loop (one loop per sandbox).
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            future.whenSuccess { response in
                let (handler, context) = bound.value
                handler.write(response, version: version, keepAlive: keepAlive, context: context)
            }
            body.reset()
            self.head = nil
        }
    }

    private func write(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// An HTTP/1.1 server: the sandbox's local APIs and `serve` differ only in their handler.
package enum HTTPServer {
    package static func bind(group: EventLoopGroup, host: String, port: Int,
                     handler: @escaping @Sendable () -> ChannelHandler) throws -> Channel {
        let bootstrap = bootstrap(group: group, handler: handler)
        do {
            return try bootstrap.bind(host: host, port: port).wait()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw RunnerError.server("cannot listen on \(host):\(port): another program is using that port; choose another with --port, or 0 for a free one")
        } catch let error as IOError {
            throw RunnerError.server("cannot listen on \(host):\(port): \(String(cString: strerror(error.errnoCode))); choose another address or port")
        } catch {
            throw RunnerError.server("cannot listen on \(host):\(port): \(error)")
        }
    }

    /// The same server on a socket already listening (one made inside an environment's network).
    /// Not on `group`'s event loop: it waits for the channel.
    static func adopt(listening socket: Int32, group: EventLoopGroup, handler: @escaping @Sendable () -> ChannelHandler) throws -> Channel {
        do {
            return try bootstrap(group: group, handler: handler).withBoundSocket(socket).wait()
        } catch {
            throw RunnerError.server("cannot serve inside the environment's network: \(error)")
        }
    }

    private static func bootstrap(group: EventLoopGroup, handler: @escaping @Sendable () -> ChannelHandler) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
    }
}

/// Binds a sandbox's local APIs to loopback, on the sandbox's event loop.
enum APIServer {
    static func start(router: APIRouter, group: EventLoopGroup, host: String = "127.0.0.1", port: Int = 0) throws -> Channel {
        try HTTPServer.bind(group: group, host: host, port: port) { APIHandler(router: router) }
    }

    /// The same APIs at 127.0.0.1:9001 inside an environment's own network.
    static func start(router: APIRouter, group: EventLoopGroup, inside network: EnvironmentNetwork) throws -> Channel {
        let socket = try network.listen(port: EnvironmentNetwork.runtimeAPIPort)
        return try HTTPServer.adopt(listening: socket, group: group) { APIHandler(router: router) }
    }
}

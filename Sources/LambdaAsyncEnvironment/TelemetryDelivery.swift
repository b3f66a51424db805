import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One Telemetry API subscriber's destination: an HTTP listener of an extension, inside the
/// environment's own network when it has one (reached through a socket made there). Batches go one
/// at a time, in order, as Lambda sends them: a batch is posted only when the destination has
/// answered the one before, or failed to within 2 s (that batch is lost, not the ones after it).
final class TelemetryDelivery: Sendable {
    private let host: String
    private let port: Int
    private let path: String
    private let network: EnvironmentNetwork?
    /// Batches not sent yet, and whether one is on its way.
    private let state = NIOLockedValueBox((waiting: [Data](), sending: false))

    init(host: String, port: Int, path: String, network: EnvironmentNetwork?) {
        self.host = host
        self.port = port
        self.path = path
        self.network = network
    }

    func send(_ batch: Data) {
        let first: Data? = state.withLockedValue { state in
            state.waiting.append(batch)
            guard !state.sending else { return nil }
            state.sending = true
            return state.waiting.removeFirst()
        }
        if let first { post(first) }
    }

    private func post(_ batch: Data) {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let answered = eventLoop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler(answered: answered))
                }
            }
        answered.futureResult.whenComplete { _ in self.next() }
        let connection: EventLoopFuture<Channel>
        if let network {
            // The listener is inside the environment: a socket made there, connected at once (loopback).
            guard let socket = network.connect(port: port) else { return answered.succeed(()) }
            connection = bootstrap.withConnectedSocket(socket)
        } else {
            connection = bootstrap.connect(host: host, port: port)
        }
        let host = host, path = path
        connection.whenSuccess { channel in
            var headers = HTTPHeaders([("Host", "\(host):\(self.port)"), ("Content-Type", "application/json"),
                                       ("Content-Length", String(batch.count)), ("Connection", "close")])
            headers.replaceOrAdd(name: "User-Agent", value: "lambda-async")
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: batch))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            // A destination that never answers holds the next batch 2 s at most.
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            answered.futureResult.whenComplete { _ in
                timeout.cancel()
                channel.close(promise: nil)
            }
        }
        connection.whenFailure { _ in answered.succeed(()) }
    }

    private func next() {
        let next: Data? = state.withLockedValue { state in
            guard !state.waiting.isEmpty else { state.sending = false; return nil }
            return state.waiting.removeFirst()
        }
        if let next { post(next) }
    }

    /// Completes `answered`, once, when the response has ended or the connection did.
    private final class AnswerHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        private var answered: EventLoopPromise<Void>?

        init(answered: EventLoopPromise<Void>) { self.answered = answered }

        private func complete() {
            answered?.succeed(())
            answered = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .end = unwrapInboundIn(data) { complete() }
        }

        func channelInactive(context: ChannelHandlerContext) {
            complete()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}

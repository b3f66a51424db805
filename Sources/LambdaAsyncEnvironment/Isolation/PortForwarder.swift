import NIOCore
import NIOPosix

/// Connections made inside an environment to 127.0.0.1:PORT, carried to the same port on the host's
/// loopback: how a function in its own network reaches the local AWS endpoints it was given (serve's
/// Invoke API, moto, LocalStack) and nothing else of the host.
enum PortForwarder {
    /// Forwards every connection accepted on `socket` (listening inside the environment) to `target`.
    /// Not on `eventLoop`: it waits for the channel.
    static func start(listening socket: Int32, to target: SocketAddress, eventLoop: EventLoop) throws -> Channel {
        let bootstrap = ServerBootstrap(group: eventLoop)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            // The accepted connection is registered (and read) only once this initializer's future
            // succeeds: nothing arrives before the host side is connected.
            .childChannelInitializer { inside in
                ClientBootstrap(group: inside.eventLoop).connect(to: target).flatMap { outside in
                    inside.eventLoop.makeCompletedFuture {
                        try inside.pipeline.syncOperations.addHandler(Relay(partner: outside))
                        try outside.pipeline.syncOperations.addHandler(Relay(partner: inside))
                    }
                }
            }
        do {
            return try bootstrap.withBoundSocket(socket).wait()
        } catch {
            throw RunnerError.server("cannot forward port \(target.port ?? 0) into the environment's network: \(error)")
        }
    }

    /// One side of a forwarded connection: what it reads, its partner writes. A partner that cannot
    /// keep up stops this side's reading (backpressure); either side closing closes both.
    private final class Relay: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let partner: Channel

        init(partner: Channel) { self.partner = partner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner.write(unwrapInboundIn(data), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            partner.flush()
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            // This side's buffer filled or drained: the partner reads only while it can be written to.
            partner.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
            context.fireChannelWritabilityChanged()
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}

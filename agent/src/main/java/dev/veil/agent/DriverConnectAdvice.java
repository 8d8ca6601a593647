package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into every {@code Driver#connect}. It calls only {@link VeilBridge}, which is on the
 * bootstrap class path and so visible from the driver's own class loader. The enter advice never
 * throws into the application; the exit advice throws only the VeilException that refuses a
 * connection Veil must but cannot protect.
 */
final class DriverConnectAdvice {
    private DriverConnectAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter() {
        return VeilBridge.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter int depth, @Advice.This Object self, @Advice.AllArguments Object[] args,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection,
                     @Advice.Thrown Throwable thrown) throws Exception {
        connection = VeilBridge.exit(depth, true, self, args, connection, thrown);
    }
}

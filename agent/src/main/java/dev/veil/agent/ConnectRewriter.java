package dev.veil.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.Map;

/**
 * Rewrites a class file so that each method the agent instruments reports to
 * {@link dev.veil.agent.bootstrap.VeilBridge}: every non-abstract instance method
 * {@code connect(String, Properties)}, {@code getConnection()} or {@code getConnection(String,
 * String)} declared to return exactly {@code java.sql.Connection} (compiler bridge methods
 * included, so a driver whose {@code connect} returns a vendor type is caught through its bridge).
 * The method then reads, in Java terms:
 * <pre>{@code
 * VeilBridge.enter(this, isDriver, new Object[] {args...});
 * try {
 *     ...original body, each "return c" becoming "return (Connection) VeilBridge.exit(c)"...
 * } catch (Throwable t) {
 *     throw VeilBridge.thrown(t);
 * }
 * }</pre>
 * No field, method or local variable is added (so classes already loaded can be retransformed
 * when the agent is attached later) and the existing stack map frames stay valid: the inserted
 * code reads only the parameters, at entry, and the handler's frame declares no locals.
 * Whether the receiver really is a {@code Driver} or {@code DataSource} is decided at run time
 * by the bridge's hook, which is exact and needs no class hierarchy at load time.
 */
final class ConnectRewriter {
    static final String BRIDGE = "dev/veil/agent/bootstrap/VeilBridge";
    private static final String ENTER = "(Ljava/lang/Object;Z[Ljava/lang/Object;)V";
    private static final String EXIT = "(Ljava/lang/Object;)Ljava/lang/Object;";
    private static final String THROWN = "(Ljava/lang/Throwable;)Ljava/lang/Throwable;";
    /** name + descriptor of each instrumented method, and whether it is {@code Driver#connect}. */
    static final Map<String, Boolean> METHODS = Map.of(
            "connect(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;", true,
            "getConnection()Ljava/sql/Connection;", false,
            "getConnection(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;", false);
    /** Operand stack the entry call needs: this, flag, array, and dup/index/argument while filling it. */
    private static final int ENTRY_STACK = 6;
    private static final int NOT_INSTRUMENTED = Opcodes.ACC_ABSTRACT | Opcodes.ACC_STATIC | Opcodes.ACC_NATIVE;

    private ConnectRewriter() {
    }

    /**
     * @return the rewritten class file, or {@code null} when the class is an interface or declares
     *         no method to instrument
     * @throws IllegalArgumentException if the class file cannot be read (a format newer than this agent knows)
     */
    static byte[] rewrite(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        if ((reader.getAccess() & Opcodes.ACC_INTERFACE) != 0) {
            return null;
        }
        ClassWriter writer = new ClassWriter(reader, 0);
        Hooks hooks = new Hooks(writer);
        reader.accept(hooks, ClassReader.EXPAND_FRAMES);
        return hooks.changed ? writer.toByteArray() : null;
    }

    private static final class Hooks extends ClassVisitor {
        private boolean frames;
        boolean changed;

        Hooks(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            // class files from Java 6 on are verified with stack map frames; older ones have none
            frames = (version & 0xFFFF) >= Opcodes.V1_6;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            Boolean driver = (access & NOT_INSTRUMENTED) == 0 ? METHODS.get(name + descriptor) : null;
            if (mv == null || driver == null) {
                return mv;
            }
            changed = true;
            return new Hooked(mv, driver, descriptor.startsWith("()") ? 0 : 2, frames);
        }
    }

    private static final class Hooked extends MethodVisitor {
        private final boolean driver;
        private final int arguments;
        private final boolean frames;
        private final Label start = new Label();
        private final Label end = new Label();

        Hooked(MethodVisitor mv, boolean driver, int arguments, boolean frames) {
            super(Opcodes.ASM9, mv);
            this.driver = driver;
            this.arguments = arguments;
            this.frames = frames;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitInsn(driver ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
            super.visitInsn(Opcodes.ICONST_0 + arguments);
            super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
            for (int i = 0; i < arguments; i++) {
                super.visitInsn(Opcodes.DUP);
                super.visitInsn(Opcodes.ICONST_0 + i);
                super.visitVarInsn(Opcodes.ALOAD, i + 1); // every argument of these methods is a reference
                super.visitInsn(Opcodes.AASTORE);
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "enter", ENTER, false);
            super.visitLabel(start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
                super.visitTypeInsn(Opcodes.CHECKCAST, "java/sql/Connection");
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            Label handler = new Label();
            super.visitLabel(end);
            super.visitLabel(handler);
            if (frames) {
                super.visitFrame(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"});
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "thrown", THROWN, false);
            super.visitInsn(Opcodes.ATHROW);
            // last in the exception table, so the method's own handlers still come first
            super.visitTryCatchBlock(start, end, handler, null);
            super.visitMaxs(Math.max(maxStack, ENTRY_STACK), maxLocals);
        }
    }
}

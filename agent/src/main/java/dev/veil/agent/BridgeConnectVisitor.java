package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

import java.util.Set;

/**
 * Wraps connections returned through compiler bridge methods. A driver whose {@code connect}
 * declares a narrower return type (MariaDB Connector/J 3: {@code org.mariadb.jdbc.Connection
 * connect(String, Properties)}) gets a synthetic bridge {@code java.sql.Connection connect(String,
 * Properties)} that every caller through {@code java.sql.Driver} runs. Byte Buddy's advice never
 * reaches bridge methods, and the narrow method cannot return a Veil wrapper, so without this the
 * connection would reach the application unwrapped. Before each {@code areturn} of such a bridge,
 * the connection is handed to {@link VeilBridge#afterBridge}, which applies the same rules as the
 * advice (outermost call only).
 */
final class BridgeConnectVisitor extends AsmVisitorWrapper.AbstractBase {
    private static final String CONNECT = "connect(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
    private static final Set<String> GET_CONNECTION = Set.of("getConnection()Ljava/sql/Connection;",
            "getConnection(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;");
    private static final String BRIDGE = Type.getInternalName(VeilBridge.class);
    private static final String AFTER_BRIDGE = "(Ljava/lang/Object;ZLjava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;";
    /** Operand stack the inserted call needs beyond the returned connection: flag, this, array, and dup/index/argument while filling it. */
    private static final int EXTRA_STACK = 6;

    @Override
    public ClassVisitor wrap(TypeDescription instrumentedType, ClassVisitor classVisitor, Implementation.Context context,
                             TypePool typePool, FieldList<FieldDescription.InDefinedShape> fields, MethodList<?> methods,
                             int writerFlags, int readerFlags) {
        return new ClassVisitor(OpenedClassReader.ASM_API, classVisitor) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (mv == null || (access & Opcodes.ACC_BRIDGE) == 0 || (access & Opcodes.ACC_STATIC) != 0) {
                    return mv;
                }
                String method = name + descriptor;
                if (CONNECT.equals(method)) {
                    return new ReturnHook(mv, true, Type.getArgumentTypes(descriptor).length);
                }
                if (GET_CONNECTION.contains(method)) {
                    return new ReturnHook(mv, false, Type.getArgumentTypes(descriptor).length);
                }
                return mv;
            }
        };
    }

    /** Inserts {@code VeilBridge.afterBridge(connection, driver, this, new Object[] {args…})} before each {@code areturn}. */
    private static final class ReturnHook extends MethodVisitor {
        private final boolean driver;
        private final int arguments;

        ReturnHook(MethodVisitor mv, boolean driver, int arguments) {
            super(OpenedClassReader.ASM_API, mv);
            this.driver = driver;
            this.arguments = arguments;
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
                super.visitInsn(driver ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitIntInsn(Opcodes.BIPUSH, arguments);
                super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
                for (int i = 0; i < arguments; i++) {
                    super.visitInsn(Opcodes.DUP);
                    super.visitIntInsn(Opcodes.BIPUSH, i);
                    super.visitVarInsn(Opcodes.ALOAD, i + 1); // every argument of these methods is a reference
                    super.visitInsn(Opcodes.AASTORE);
                }
                super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "afterBridge", AFTER_BRIDGE, false);
                super.visitTypeInsn(Opcodes.CHECKCAST, "java/sql/Connection");
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
        }
    }
}

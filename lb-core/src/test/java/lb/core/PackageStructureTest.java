package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The shape the code must keep: packages import one another without cycles, the module
 * exports the API and plug-in packages only, and nothing public in them shows an engine type.
 */
class PackageStructureTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Set<String> INTERNAL = Set.of("lb.core.engine", "lb.core.limit", "lb.core.buffer");
    private static final Pattern REFERENCE = Pattern.compile("\\b(lb\\.core(?:\\.[a-z]+)*)\\.[A-Z]");

    @Test
    void packagesImportEachOtherWithoutCycles() throws IOException {
        Map<String, Set<String>> graph = importGraph();
        assertTrue(graph.containsKey("lb.core.engine") && graph.get("lb.core").contains("lb.core.engine"),
                "the graph is read from the sources: " + graph);
        for (String start : graph.keySet()) {
            List<String> cycle = cycleThrough(start, graph);
            assertTrue(cycle.isEmpty(), "package cycle: " + String.join(" -> ", cycle));
        }
    }

    @Test
    void theModuleExportsTheApiAndPluginPackagesOnly() throws IOException {
        Set<String> exported = descriptor().exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        Set<String> all = new TreeSet<>(importGraph().keySet());
        Set<String> expected = new TreeSet<>(all);
        expected.removeAll(INTERNAL);
        assertEquals(expected, exported, "every package but the engine's is exported");
    }

    @Test
    void nothingPublicInAnExportedPackageShowsAnEngineType() throws IOException {
        List<String> leaks = new ArrayList<>();
        for (String className : classesOf(descriptor().exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))) {
            Class<?> c;
            try {
                c = Class.forName(className, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            if (!Modifier.isPublic(c.getModifiers())) {
                continue;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    check(leaks, m, m.getGenericReturnType());
                    checkParameters(leaks, m);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) {
                    checkParameters(leaks, k);
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    check(leaks, f, f.getGenericType());
                }
            }
        }
        assertEquals(List.of(), leaks, "public members that show engine types");
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void checkParameters(List<String> leaks, Executable e) {
        for (Type t : e.getGenericParameterTypes()) {
            check(leaks, e, t);
        }
    }

    private static void check(List<String> leaks, Object member, Type type) {
        Matcher m = REFERENCE.matcher(type.getTypeName());
        while (m.find()) {
            if (INTERNAL.contains(m.group(1))) {
                leaks.add(member + " shows " + type.getTypeName());
            }
        }
    }

    private static ModuleDescriptor descriptor() throws IOException {
        ModuleDescriptor running = LoadBalancer.class.getModule().getDescriptor();
        if (running != null) {
            return running;
        }
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            return ModuleDescriptor.read(in); // run on the class path, as mutation testing does
        }
    }

    /** Package -> the packages its sources refer to (imports and qualified names). */
    private static Map<String, Set<String>> importGraph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            Set<String> targets = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(Files.readString(file));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    targets.add(m.group(1));
                }
            }
        }
        return graph;
    }

    /** A path from {@code start} back to itself, or empty. */
    private static List<String> cycleThrough(String start, Map<String, Set<String>> graph) {
        List<String> path = new ArrayList<>(List.of(start));
        return walk(start, start, graph, path, new TreeSet<>()) ? path : List.of();
    }

    private static boolean walk(String start, String at, Map<String, Set<String>> graph, List<String> path, Set<String> seen) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            path.add(next);
            if (next.equals(start) || (seen.add(next) && walk(start, next, graph, path, seen))) {
                return true;
            }
            path.remove(path.size() - 1);
        }
        return false;
    }

    private static List<String> classesOf(Set<String> packages) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            if (packages.contains(pkg)) {
                names.add(pkg + "." + file.getFileName().toString().replace(".java", ""));
            }
        }
        return names;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("module-info.java"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static String packageOf(Path file) {
        return SOURCES.relativize(file.getParent()).toString().replace('/', '.').replace('\\', '.');
    }
}

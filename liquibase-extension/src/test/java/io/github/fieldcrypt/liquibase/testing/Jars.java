package io.github.fieldcrypt.liquibase.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** The jar a class was loaded from; a classes directory (a build before {@code package}) is jarred first. */
public final class Jars {
  private Jars() {}

  public static Path of(Class<?> type, Path scratch) throws IOException, URISyntaxException {
    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isRegularFile(location)) {
      return location;
    }
    Path jar = scratch.resolve(type.getSimpleName() + "-classes.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
        Stream<Path> files = Files.walk(location)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        zip.putNextEntry(new JarEntry(location.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
    return jar;
  }

  /** Jars for several classes, in order. */
  public static List<Path> of(Path scratch, Class<?>... types) throws IOException, URISyntaxException {
    Path[] result = new Path[types.length];
    for (int i = 0; i < types.length; i++) {
      result[i] = of(types[i], scratch);
    }
    return List.of(result);
  }
}

package io.github.fieldcrypt.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/** Boots a SessionFactory the way an application does, through {@link Configuration}. */
public final class Hibernate {
  private Hibernate() {}

  /** A SessionFactory on this database (schema created and dropped) with these settings and entities. */
  public static SessionFactory sessionFactory(TestDatabase db, String url, Map<String, Object> settings, Class<?>... entities) {
    Configuration configuration = new Configuration();
    Map<String, Object> all = new HashMap<>(db.hibernateSettings(url));
    all.put("hibernate.hbm2ddl.auto", "create-drop");
    all.put("hibernate.generate_statistics", "true");
    all.put("hibernate.show_sql", "false");
    all.put("hibernate.cache.use_second_level_cache", "false");
    all.putAll(settings);
    all.forEach((k, v) -> configuration.getProperties().put(k, v));
    for (Class<?> entity : entities) {
      configuration.addAnnotatedClass(entity);
    }
    return configuration.buildSessionFactory();
  }

  public static void inTransaction(SessionFactory sf, Consumer<Session> work) {
    sf.inTransaction(work);
  }

  public static <T> T fromTransaction(SessionFactory sf, Function<Session, T> work) {
    return sf.fromTransaction(work);
  }
}

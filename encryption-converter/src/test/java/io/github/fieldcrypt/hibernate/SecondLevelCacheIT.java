package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.hibernate.SessionFactory;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/** Second-level cache entries hold the ciphertext, never the plaintext; cache hits decrypt. */
class SecondLevelCacheIT {
  private static final String TITLE = io.github.fieldcrypt.testing.Planted.TITLE;
  private static final String BODY = io.github.fieldcrypt.testing.Planted.BODY;

  @Test
  void cache_entries_hold_ciphertext_and_hits_return_plaintext() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "jcache");
    settings.put("hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider");
    settings.put("hibernate.javax.cache.missing_cache_strategy", "create");
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), settings, Document.class)) {
      sf.inTransaction(s -> s.persist(new Document(1L, TITLE, BODY.getBytes(StandardCharsets.UTF_8), 314159, "bob")));
      sf.getCache().evictAllRegions();
      Statistics statistics = sf.getStatistics();
      statistics.clear();
      sf.inTransaction(s -> s.find(Document.class, 1L)); // miss, loads from the database, fills the cache
      assertThat(statistics.getSecondLevelCachePutCount()).isEqualTo(1);

      List<Object> entries = cacheEntries(sf);
      assertThat(entries).isNotEmpty();
      byte[] serialized = serialize(entries);
      assertThat(contains(serialized, TITLE.getBytes(StandardCharsets.UTF_8))).as("title plaintext in the cache").isFalse();
      assertThat(contains(serialized, BODY.getBytes(StandardCharsets.UTF_8))).as("body plaintext in the cache").isFalse();
      assertThat(contains(serialized, "314159".getBytes(StandardCharsets.UTF_8))).as("pages plaintext in the cache").isFalse();
      assertThat(contains(serialized, "bob".getBytes(StandardCharsets.UTF_8))).as("the unencrypted column is cached as is").isTrue();
      // The title's ciphertext is there, as the String the column holds.
      List<String> ciphertexts = ciphertextsIn(serialized);
      EncryptionContext titleContext = EncryptionContext.forColumn("documents", "title");
      List<String> titles = ciphertexts.stream()
          .filter(c -> Ciphertexts.encryptor(1).inspectText(c, titleContext).state() == FieldEncryptor.Inspection.State.ENCRYPTED)
          .toList();
      assertThat(titles).hasSize(1);
      assertThat(Ciphertexts.encryptor(1).decryptText(titles.get(0), titleContext)).isEqualTo(TITLE);

      Document hit = sf.fromTransaction(s -> s.find(Document.class, 1L));
      assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(1);
      assertThat(hit.title).isEqualTo(TITLE);
      assertThat(new String(hit.body, StandardCharsets.UTF_8)).isEqualTo(BODY);
      assertThat(hit.pages).isEqualTo(314159);
    }
  }

  private static List<Object> cacheEntries(SessionFactory sf) {
    RegionFactory regionFactory = ((SessionFactoryImplementor) sf).getServiceRegistry().getService(RegionFactory.class);
    CacheManager manager = ((JCacheRegionFactory) regionFactory).getCacheManager();
    List<Object> values = new ArrayList<>();
    for (String name : manager.getCacheNames()) {
      Cache<Object, Object> cache = manager.getCache(name);
      for (Cache.Entry<Object, Object> entry : cache) {
        values.add(entry.getValue());
      }
    }
    return values;
  }

  /**
   * Base64url runs that start like a v1 text value (0xFC 0x01 encodes as "_A"), and each of
   * their prefixes: in serialized form a string may be followed by bytes that are base64 letters.
   */
  private static List<String> ciphertextsIn(byte[] serialized) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("_A[A-Za-z0-9_-]{44,}").matcher(new String(serialized, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      for (int end = 46; end <= m.group().length(); end++) {
        found.add(m.group().substring(0, end));
      }
    }
    return found;
  }

  private static byte[] serialize(Object value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}

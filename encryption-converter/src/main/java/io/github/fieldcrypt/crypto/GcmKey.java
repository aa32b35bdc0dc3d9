package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256 key together with AES-GCM ciphers already set up for it, for {@link AesGcm}.
 *
 * <p>Why: SunJCE keeps the AES key schedule of the last key a {@link Cipher} was initialised
 * with, and making a new one costs about 1 µs and 1.8 KB. One cipher per thread, shared by every
 * key, pays that on every change of key: on nearly every value in tenant mode, where values of
 * many tenants (each its own data key) interleave. Here each key keeps its own small pool of
 * idle ciphers, so a value under any key whose pool has a cipher pays no key schedule.
 *
 * <p>The pool holds at most one cipher per slot ({@link #SLOTS}: the number of processors, at
 * least 2, at most 16); a thread takes one for the length of one value and gives it back. A thread
 * that finds the pool empty (first use, or more threads at once than slots) makes a cipher and
 * gives it back if a slot is free. Memory: about 1 KB per cipher, so per key up to {@link #SLOTS}
 * KB, typically one or two.
 *
 * <p>It also keeps, per associated data (one per column, or per column and tenant), the tag
 * corrections that let the ciphers skip the associated data ({@link FoldedAad}), at most
 * {@link #MAX_FOLDS} of them, about 300 bytes each for values up to 128 bytes.
 *
 * <p><b>Security:</b> the pooled ciphers hold the key's schedule as long as this object lives:
 * as long as the key does (the key ring's, or the tenant key cache's entry). {@link #release()}
 * (crypto-shredding) drops them and overwrites the key each held, and zeroes the tag corrections; the JDK gives no way to wipe
 * the schedule arrays themselves, which the garbage collector reclaims. {@link #toString()} says
 * nothing about the key.
 */
public final class GcmKey {
  static final int SLOTS = Math.max(2, Math.min(16, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1)));
  private static final SecretKey BLANK = new SecretKeySpec(new byte[32], "AES");

  private final SecretKey key;
  /** Associated data folded per key at most (columns × tenants sharing one key); more are not folded. */
  static final int MAX_FOLDS = 1024;

  private final AtomicReferenceArray<Cipher> idle = new AtomicReferenceArray<>(SLOTS);
  private final ConcurrentHashMap<AssociatedData, FoldedAad> folds = new ConcurrentHashMap<>();
  private volatile boolean released;
  /** The corrections found last: a shortcut for a new instance of the same associated data. */
  private volatile FoldedAad last;

  public GcmKey(SecretKey key) {
    this.key = key;
  }

  public SecretKey secretKey() {
    return key;
  }

  /** An idle cipher last initialised with this key, or a new one. Give it back with {@link #give}. */
  Cipher take() {
    int start = slot();
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      Cipher cipher = idle.get(s);
      if (cipher != null && idle.compareAndSet(s, cipher, null)) {
        return cipher;
      }
    }
    return AesGcm.newCipher();
  }

  /** Returns a cipher taken from this pool (or made for it) once the value is done. */
  void give(Cipher cipher) {
    if (released) {
      return;
    }
    int start = slot();
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      if (idle.get(s) == null) {
        // A release store, not a compare-and-set: a locked instruction waits for the store
        // buffer to drain, which costs a busy caller (Hibernate flushing) far more than a
        // benchmark loop. Racing with another give can only drop the other cipher (garbage);
        // a cipher is in a slot only when its one holder put it there, so none is ever shared.
        idle.lazySet(s, cipher);
        return;
      }
    }
  }

  /**
   * Drops the idle ciphers, each first initialised with an all-zero key so that it no longer
   * holds this one, and keeps no cipher from now on (crypto-shredding: the key is gone; a cipher
   * in use by a thread right now is dropped when it comes back).
   */
  public void release() {
    released = true;
    folds.values().forEach(FoldedAad::wipe);
    folds.clear();
    last = null;
    for (int s = 0; s < SLOTS; s++) {
      Cipher cipher = idle.getAndSet(s, null);
      if (cipher != null) {
        try {
          cipher.init(Cipher.ENCRYPT_MODE, BLANK, new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
        } catch (GeneralSecurityException ignored) {
          // the cipher is dropped either way
        }
      }
    }
  }

  /**
   * The tag corrections for this associated data under this key, or {@code null} when it cannot
   * be folded (the key was released, or {@link #MAX_FOLDS} are kept already): the cipher then
   * gets the associated data itself.
   */
  FoldedAad folded(AssociatedData associatedData) {
    if (released) {
      return null;
    }
    FoldedAad folded = associatedData.folded;
    if (folded != null && folded.key == this) {
      return folded;
    }
    // A new instance of the associated data last folded (e.g. a key ring whose values alternate
    // between keys makes one per change of key): recognised by content, without the map.
    folded = last;
    if (folded != null && Arrays.equals(folded.aad, associatedData.bytes())) {
      associatedData.folded = folded;
      return folded;
    }
    folded = folds.get(associatedData);
    if (folded == null) {
      if (folds.size() >= MAX_FOLDS) {
        return null;
      }
      folded = folds.computeIfAbsent(associatedData, ad -> fold(ad.bytes()));
      if (released) {
        folded.wipe();
        return null;
      }
    }
    associatedData.folded = folded;
    last = folded;
    return folded;
  }

  /** Folds associated data under this key, not kept (the map keeps what {@link #folded} folds). */
  FoldedAad fold(byte[] aad) {
    byte[] h = new byte[16];
    try {
      Cipher ecb = ECB.get();
      ecb.init(Cipher.ENCRYPT_MODE, key);
      ecb.doFinal(h, 0, 16, h, 0);
      // the thread's AES cipher keeps no schedule of this key afterwards
      ecb.init(Cipher.ENCRYPT_MODE, BLANK);
      return FoldedAad.fold(this, h, aad);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES failed: " + e.getClass().getSimpleName(), e);
    } finally {
      Arrays.fill(h, (byte) 0);
    }
  }

  private static final ThreadLocal<Cipher> ECB = ThreadLocal.withInitial(() -> JdkAes.cipher("AES/ECB/NoPadding"));

  boolean released() {
    return released;
  }

  /** Associated data folded right now (tests). */
  int foldCount() {
    return folds.size();
  }

  /** Idle ciphers right now (tests). */
  int idleCount() {
    int n = 0;
    for (int s = 0; s < SLOTS; s++) {
      if (idle.get(s) != null) {
        n++;
      }
    }
    return n;
  }

  /** Where a thread starts looking: threads spread over the slots, so they rarely meet. */
  private static int slot() {
    return (int) Thread.currentThread().getId() & (SLOTS - 1);
  }

  @Override
  public String toString() {
    return "GcmKey[AES-256]";
  }
}

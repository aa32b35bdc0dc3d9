package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256 key together with AES ciphers already set up for it, for {@link AesGcm}.
 *
 * <p>Why: SunJCE keeps the AES key schedule of the last key a {@link Cipher} was initialised
 * with, and making a new one costs about 1 µs and 1.8 KB. One cipher per thread, shared by every
 * key, pays that on every change of key: on nearly every value in tenant mode, where values of
 * many tenants (each its own data key) interleave. Here each key keeps its own small pool of
 * idle {@link Worker}s (an AES-GCM cipher, an AES/ECB cipher for short values), so a
 * value under any key whose pool has a worker pays no key schedule.
 *
 * <p>The pool holds at most one worker per slot ({@link #SLOTS}: the number of processors, at
 * least 2, at most 16); a thread takes one for the length of one value and gives it back. A thread
 * that finds the pool empty (first use, or more threads at once than slots) makes a worker and
 * gives it back if a slot is free. Memory: about 1 KB per worker, so per key up to {@link #SLOTS}
 * times that, typically one or two.
 *
 * <p>It also keeps, per associated data (one per column, or per column and tenant), the tag
 * corrections that let the ciphers skip the associated data ({@link FoldedAad}), at most
 * {@link #MAX_FOLDS} of them, about 300 bytes each for values up to 128 bytes; and the powers of
 * the GCM hash key for values up to {@value ShortGcm#MAX_BYTES} bytes ({@link ShortGcm}, 0.9 KB).
 *
 * <p><b>Security:</b> the pooled ciphers hold the key's schedule as long as this object lives:
 * as long as the key does (the key ring's, or the tenant key cache's entry). {@link #release()}
 * (crypto-shredding) drops them and overwrites the key each held, and zeroes the tag corrections
 * and the hash key's powers; the JDK gives no way to wipe the schedule arrays themselves, which
 * the garbage collector reclaims. {@link #toString()} says nothing about the key.
 */
public final class GcmKey {
  static final int SLOTS = Math.max(2, Math.min(16, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1)));
  private static final SecretKey BLANK = new SecretKeySpec(new byte[32], "AES");

  private final SecretKey key;
  /** Associated data folded per key at most (columns × tenants sharing one key); more are not folded. */
  static final int MAX_FOLDS = 1024;

  private final AtomicReferenceArray<Worker> idle = new AtomicReferenceArray<>(SLOTS);
  private final ConcurrentHashMap<AssociatedData, FoldedAad> folds = new ConcurrentHashMap<>();
  private volatile boolean released;
  /** The corrections found last: a shortcut for a new instance of the same associated data. */
  private volatile FoldedAad last;
  /** The hash key's powers for {@link ShortGcm}, made at first use; {@code null} before and after release. */
  private volatile ShortGcm.Powers powers;

  /**
   * What a thread holds for one value under this key: the AES-GCM cipher and the AES/ECB cipher
   * of the short-value path ({@link ShortGcm}), each made when first needed and keeping this key's
   * schedule.
   */
  static final class Worker {
    private Cipher gcm;
    private Cipher ecb;

    Cipher gcm() {
      if (gcm == null) {
        gcm = AesGcm.newCipher();
      }
      return gcm;
    }

    Cipher ecb(SecretKey key) {
      if (ecb == null) {
        ecb = ShortGcm.ecb(key);
      }
      return ecb;
    }

    /** Leaves the ciphers holding an all-zero key instead of this one. */
    void blank() {
      try {
        if (gcm != null) {
          gcm.init(Cipher.ENCRYPT_MODE, BLANK, new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
        }
        if (ecb != null) {
          ecb.init(Cipher.ENCRYPT_MODE, BLANK);
        }
      } catch (GeneralSecurityException ignored) {
        // the worker is dropped either way
      }
    }
  }

  public GcmKey(SecretKey key) {
    this.key = key;
  }

  public SecretKey secretKey() {
    return key;
  }

  /** An idle worker whose ciphers were last used with this key, or a new one. Give it back with {@link #give}. */
  Worker take() {
    int start = slot();
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      Worker worker = idle.get(s);
      if (worker != null && idle.compareAndSet(s, worker, null)) {
        return worker;
      }
    }
    return new Worker();
  }

  /** Returns a worker taken from this pool (or made for it) once the value is done. */
  void give(Worker worker) {
    if (released) {
      worker.blank();
      return;
    }
    int start = slot();
    for (int i = 0; i < SLOTS; i++) {
      int s = (start + i) & (SLOTS - 1);
      if (idle.get(s) == null) {
        // A release store, not a compare-and-set: a locked instruction waits for the store
        // buffer to drain, which costs a busy caller (Hibernate flushing) far more than a
        // benchmark loop. Racing with another give can only drop the other worker (garbage);
        // a worker is in a slot only when its one holder put it there, so none is ever shared.
        idle.lazySet(s, worker);
        return;
      }
    }
  }

  /**
   * Drops the idle workers, their ciphers first initialised with an all-zero key so that they no
   * longer hold this one, zeroes the tag corrections and the hash key's powers, and keeps no
   * worker from now on (crypto-shredding: the key is gone; a worker in use by a thread right now
   * is dropped when it comes back).
   */
  public void release() {
    released = true;
    folds.values().forEach(FoldedAad::wipe);
    folds.clear();
    last = null;
    ShortGcm.Powers p = powers;
    powers = null;
    if (p != null) {
      p.wipe();
    }
    for (int s = 0; s < SLOTS; s++) {
      Worker worker = idle.getAndSet(s, null);
      if (worker != null) {
        worker.blank();
      }
    }
  }

  /**
   * The hash key's powers for the short-value path, made at first use, or {@code null} once the
   * key is released (values then take SunJCE's path, whose ciphers this key no longer keeps).
   */
  ShortGcm.Powers powers() {
    ShortGcm.Powers p = powers;
    if (p != null || released) {
      return p;
    }
    synchronized (this) {
      if (powers == null && !released) {
        byte[] h = hashKey();
        try {
          powers = ShortGcm.powers(h);
        } finally {
          Arrays.fill(h, (byte) 0);
        }
      }
      return powers;
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
    byte[] h = hashKey();
    try {
      return FoldedAad.fold(this, h, aad);
    } finally {
      Arrays.fill(h, (byte) 0);
    }
  }

  /** H = AES_K(0^128), the GCM hash key: key material, the caller zeroes it. */
  private byte[] hashKey() {
    byte[] h = new byte[16];
    try {
      Cipher ecb = ECB.get();
      ecb.init(Cipher.ENCRYPT_MODE, key);
      ecb.doFinal(h, 0, 16, h, 0);
      // the thread's AES cipher keeps no schedule of this key afterwards
      ecb.init(Cipher.ENCRYPT_MODE, BLANK);
      return h;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES failed: " + e.getClass().getSimpleName(), e);
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

  /** Idle workers right now (tests). */
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

package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
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
 * <p><b>Security:</b> the pooled ciphers hold the key's schedule as long as this object lives:
 * as long as the key does (the key ring's, or the tenant key cache's entry). {@link #release()}
 * (crypto-shredding) drops them and overwrites the key each held; the JDK gives no way to wipe
 * the schedule arrays themselves, which the garbage collector reclaims. {@link #toString()} says
 * nothing about the key.
 */
public final class GcmKey {
  static final int SLOTS = Math.max(2, Math.min(16, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1)));
  private static final SecretKey BLANK = new SecretKeySpec(new byte[32], "AES");

  private final SecretKey key;
  private final AtomicReferenceArray<Cipher> idle = new AtomicReferenceArray<>(SLOTS);
  private volatile boolean released;

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
      if (idle.get(s) == null && idle.compareAndSet(s, null, cipher)) {
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

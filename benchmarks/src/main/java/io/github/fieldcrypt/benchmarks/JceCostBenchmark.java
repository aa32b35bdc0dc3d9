package io.github.fieldcrypt.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
/**
 * Where the time of one 32-byte field goes, piece by piece, on the JDK's own primitives: SunJCE
 * AES-GCM decryption with no associated data (the raw baseline's shape), with the v1 associated
 * data (17 bytes for {@code "users.email"}) in one update and in two, {@code Cipher.init} alone;
 * JDK base64url both ways and a hand-written decoder; and a 12-byte nonce from a DRBG
 * {@link java.security.SecureRandom} read 4 KiB at a time versus from a buffered AES-256-CTR
 * keystream. No baseline of its own: these are the terms that {@link EncryptorBenchmark}'s
 * ratios are made of.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar JceCostBenchmark -f 1 -wi 4 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
public class JceCostBenchmark {
  Cipher cipher;
  SecretKey key;
  byte[] value; // 18 + 32 + 16 with header
  byte[] aad1; byte[] hdr = new byte[6]; byte[] ctx = "users.email".getBytes(StandardCharsets.UTF_8);
  byte[] noAad;
  String text;
  byte[] out = new byte[256];

  @Setup
  public void setUp() throws Exception {
    cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    key = new SecretKeySpec(new byte[32], "AES");
    hdr[0] = (byte) 0xFC; hdr[1] = 1; hdr[5] = 1;
    aad1 = new byte[17]; System.arraycopy(hdr, 0, aad1, 0, 6); System.arraycopy(ctx, 0, aad1, 6, 11);
    value = new byte[66];
    System.arraycopy(hdr, 0, value, 0, 6);
    value[7] = 5;
    byte[] pt = EncryptorBenchmark.text(32).getBytes(StandardCharsets.UTF_8);
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    cipher.updateAAD(aad1);
    cipher.doFinal(pt, 0, 32, value, 18);
    Cipher c2 = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    noAad = value.clone();
    c2.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, noAad, 6, 12));
    c2.doFinal(pt, 0, 32, noAad, 18);
    text = Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }

  @Benchmark public byte[] b64decode() { return Base64.getUrlDecoder().decode(text); }
  @Benchmark public String b64encode() { return Base64.getUrlEncoder().withoutPadding().encodeToString(value); }
  @Benchmark public byte[] getBytes() { return text.getBytes(StandardCharsets.ISO_8859_1); }

  @Benchmark public byte[] dec_twoAad() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    cipher.updateAAD(value, 0, 6); cipher.updateAAD(ctx);
    return cipher.doFinal(value, 18, 48);
  }
  @Benchmark public byte[] dec_oneAad() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    cipher.updateAAD(aad1);
    return cipher.doFinal(value, 18, 48);
  }
  @Benchmark public int dec_oneAadIntoBuffer() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    cipher.updateAAD(aad1);
    return cipher.doFinal(value, 18, 48, out, 0);
  }
  @Benchmark public byte[] dec_noAad() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, noAad, 6, 12));
    return cipher.doFinal(noAad, 18, 48);
  }
  @Benchmark public Cipher initOnly() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    return cipher;
  }

  EncryptorBenchmark.BufferedDrbg drbg = new EncryptorBenchmark.BufferedDrbg();
  byte[] nonceOut = new byte[12];
  @Benchmark public byte[] nonce_drbgBuffered() { drbg.next(nonceOut, 0); return nonceOut; }

  Cipher ctr; byte[] ks = new byte[4080]; byte[] zeros = new byte[4080]; int ksPos = 4080;
  @Setup public void ctrSetup() throws Exception {
    ctr = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
    byte[] k = new byte[32]; new java.security.SecureRandom().nextBytes(k);
    ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new javax.crypto.spec.IvParameterSpec(new byte[16]));
  }
  @Benchmark public byte[] nonce_aesCtrBuffered() throws Exception {
    if (ksPos == 4080) { ctr.update(zeros, 0, 4080, ks, 0); ksPos = 0; }
    System.arraycopy(ks, ksPos, nonceOut, 0, 12); java.util.Arrays.fill(ks, ksPos, ksPos + 12, (byte) 0); ksPos += 12;
    return nonceOut;
  }

  static final byte[] DEC = new byte[128];
  static { java.util.Arrays.fill(DEC, (byte) -1); String a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"; for (int i = 0; i < 64; i++) DEC[a.charAt(i)] = (byte) i; }
  @Benchmark public byte[] b64decodeCustom() {
    String t = text; int n = t.length(); int full = n / 4 * 4; int rem = n - full;
    byte[] out = new byte[n / 4 * 3 + (rem == 0 ? 0 : rem - 1)];
    int o = 0; int bad = 0;
    for (int i = 0; i < full; i += 4) {
      int a = dec(t.charAt(i)), b = dec(t.charAt(i + 1)), c = dec(t.charAt(i + 2)), d = dec(t.charAt(i + 3));
      bad |= a | b | c | d;
      int v = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (v >> 16); out[o++] = (byte) (v >> 8); out[o++] = (byte) v;
    }
    if (rem >= 2) { int a = dec(t.charAt(full)), b = dec(t.charAt(full + 1)); bad |= a | b; out[o++] = (byte) (a << 2 | b >> 4);
      if (rem == 3) { int c = dec(t.charAt(full + 2)); bad |= c; out[o++] = (byte) (b << 4 | c >> 2); } }
    return bad < 0 ? null : out;
  }
  private static int dec(char c) { return c < 128 ? DEC[c] : -1; }
}

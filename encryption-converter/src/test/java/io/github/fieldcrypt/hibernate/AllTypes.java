package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.UUID;

/** One encrypted attribute of every supported type, plus a plain one. */
@Entity
@Table(name = "all_types")
public class AllTypes {
  /** The encrypted columns, as named in the table. */
  public static final String[] TEXT_COLUMNS = {
    "text_value", "int_value", "long_value", "decimal_value", "bool_value",
    "date_value", "date_time_value", "instant_value", "uuid_value", "status"
  };

  @Id
  public Long id;

  @Encrypted
  @Column(name = "text_value", length = 1000)
  public String text;

  @Encrypted
  @Column(name = "bytes_value", length = 1000)
  public byte[] bytes;

  @Encrypted
  @Column(name = "int_value")
  public Integer integer;

  @Encrypted
  @Column(name = "long_value")
  public Long longValue;

  @Encrypted
  @Column(name = "decimal_value")
  public BigDecimal decimal;

  @Encrypted
  @Column(name = "bool_value")
  public Boolean bool;

  @Encrypted
  @Column(name = "date_value")
  public LocalDate date;

  @Encrypted
  @Column(name = "date_time_value")
  public LocalDateTime dateTime;

  @Encrypted
  @Column(name = "instant_value")
  public Instant instant;

  @Encrypted
  @Column(name = "uuid_value")
  public UUID uuid;

  @Encrypted
  @Column(name = "status")
  public Status status;

  @Column(name = "plain_value")
  public String plain;

  public AllTypes() {}

  public AllTypes(Long id) {
    this.id = id;
  }

  /** A row with every attribute set to a value that exercises its canonical form. */
  public static AllTypes sample(long id) {
    AllTypes row = new AllTypes(id);
    row.text = "Grüße, 世界 🌍 #" + id;
    row.bytes = new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0xFC, (byte) id};
    row.integer = Integer.MIN_VALUE + (int) id;
    row.longValue = Long.MAX_VALUE - id;
    row.decimal = new BigDecimal("-12345678901234567890.0012300").add(BigDecimal.valueOf(id));
    row.bool = id % 2 == 0;
    row.date = LocalDate.of(1969, 12, 31).plusDays(id);
    row.dateTime = LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_789).plusSeconds(id);
    row.instant = Instant.parse("2038-01-19T03:14:07.999999999Z").plusMillis(id);
    row.uuid = new UUID(0x0123456789ABCDEFL + id, 0xFEDCBA9876543210L);
    row.status = Status.values()[(int) (id % Status.values().length)];
    row.plain = "plain " + id;
    return row;
  }
}

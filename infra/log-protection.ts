import { CustomDataIdentifier, DataIdentifier, DataProtectionPolicy } from "aws-cdk-lib/aws-logs";

/**
 * Any E.164 number: a plus, a country code not starting with 0, 8 to 15 digits in all. The managed
 * identifiers only know the national formats of a few countries; this catches the canonical form
 * the service itself writes, for every country.
 */
export const e164Pattern = "\\+[1-9][0-9]{7,14}";

/**
 * The second line behind the masking the code does (phone numbers logged as `+1415•••••71`): a
 * CloudWatch Logs data-protection policy on every log group of the stack, which masks phone
 * numbers that slipped through anyway (a library's error message, a new log line) for everyone
 * without `logs:Unmask`. Audit findings are only counted (no destination: they would be another
 * copy of the numbers).
 */
export function phoneNumberProtection(): DataProtectionPolicy {
  return new DataProtectionPolicy({
    name: "phone-numbers",
    description: "Masks phone numbers (E.164 and national formats) in the service's logs",
    identifiers: [
      new CustomDataIdentifier("E164PhoneNumber", e164Pattern),
      DataIdentifier.PHONENUMBER_US,
      DataIdentifier.PHONENUMBER_GB,
      DataIdentifier.PHONENUMBER_DE,
      DataIdentifier.PHONENUMBER_ES,
      DataIdentifier.PHONENUMBER_FR,
      DataIdentifier.PHONENUMBER_IT,
      DataIdentifier.PHONENUMBER_BR,
    ],
  });
}

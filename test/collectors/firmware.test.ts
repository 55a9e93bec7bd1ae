// firmware: parseFirmwareVersion and parseFirmwareDate on real `vcgencmd version` outputs.
import assert from 'node:assert/strict';
import { parseFirmwareDate, parseFirmwareVersion } from '../../src/collectors/firmware';
import { table } from '../helpers';

table('parseFirmwareVersion', [
  {
    source: 'pi4b/vcgencmd_version.raspberrypi-documentation-issue-2546.txt',
    text: 'Mar 24 2022 13:19:26\nCopyright (c) 2012 Broadcom\nversion e5a963efa66a1974127860b42e913d2374139ff5 (clean) (release) (start)\n',
    expected: { date: '2022-03-24T13:19:26', version: 'e5a963efa66a1974127860b42e913d2374139ff5', variant: 'start' },
  },
  {
    source: 'pi5/vcgencmd_version.sbc-bench-8-NK.txt (Pi 5 date format, trailing space)',
    text: '2025/01/08 17:52:48 \nCopyright (c) 2012 Broadcom\nversion 97facbf4 (release) (embedded)\n',
    expected: { date: '2025-01-08T17:52:48', version: '97facbf4', variant: 'embedded' },
  },
  {
    source: 'zerow/vcgencmd_version.sbc-bench-1niO.txt (no variant)',
    text: 'Sep 21 2018 15:43:17 \nCopyright (c) 2012 Broadcom\nversion 07f57128b8491ffdefcdfd13f7b4961b3006d9a9 (clean) (release)\n',
    expected: { date: '2018-09-21T15:43:17', version: '07f57128b8491ffdefcdfd13f7b4961b3006d9a9', variant: '' },
  },
  {
    source: 'pi4b/vcgencmd_version.raspberrypi-linux-issue-5584.txt (start_cd)',
    text: 'Mar 17 2023 10:50:56\nCopyright (c) 2012 Broadcom\nversion 82f3750a65fadae9a38077e3c2e217ad158c8d54 (clean) (release) (start_cd)',
    expected: { date: '2023-03-17T10:50:56', version: '82f3750a65fadae9a38077e3c2e217ad158c8d54', variant: 'start_cd' },
  },
  {
    source: 'pi5/vcgencmd_version.sbc-bench-8-NK.txt with its tags cut (a version line that is the hash alone)',
    text: '2025/01/08 17:52:48 \nCopyright (c) 2012 Broadcom\nversion 97facbf4\n',
    expected: { date: '2025-01-08T17:52:48', version: '97facbf4', variant: '' },
  },
], (row) => assert.deepEqual(parseFirmwareVersion(row.text), row.expected));

table('parseFirmwareVersion rejects', [
  { source: 'empty output (a firmware that answered nothing)', text: '' },
  { source: 'no date line', text: 'Copyright (c) 2012 Broadcom' },
  { source: 'a version that is not hex', text: 'Mar 24 2022 13:19:26\nversion zzz (release)' },
  { source: 'an unknown month', text: 'Foo 24 2022 13:19:26\nversion 97facbf4 (release)' },
  { source: 'a hash of 6 digits', text: 'Mar 24 2022 13:19:26\nversion 97facb (release)' },
  { source: 'a hash of 41 digits', text: 'Mar 24 2022 13:19:26\nversion e5a963efa66a1974127860b42e913d2374139ff5a (release)' },
  { source: 'a hash in capitals', text: 'Mar 24 2022 13:19:26\nversion 97FACBF4 (release)' },
  { source: 'a tag without a space before it', text: 'Mar 24 2022 13:19:26\nversion 97facbf4(release)' },
  { source: 'a tag without parentheses', text: 'Mar 24 2022 13:19:26\nversion 97facbf4 release' },
  { source: 'an unclosed tag', text: 'Mar 24 2022 13:19:26\nversion 97facbf4 (release' },
  { source: 'pi4b/vcgencmd.ERROR-cant-open-dev-vcio', text: "Can't open device file: /dev/vcio\nTry creating a device file with: sudo mknod /dev/vcio c 100 0" },
], (row) => assert.throws(() => parseFirmwareVersion(row.text), /vcgencmd version/));

table('parseFirmwareDate', [
  { source: 'a day padded with a space', text: 'Feb  5 2021 12:11:39', iso: '2021-02-05T12:11:39' },
  { source: 'Pi 5 format', text: '2026/05/26 16:01:25', iso: '2026-05-26T16:01:25' },
  { source: 'not a date', text: 'version 97facbf4', iso: null },
  { source: 'tabs between the fields', text: 'Feb\t5\t2021\t12:11:39', iso: '2021-02-05T12:11:39' },
  { source: 'a day of three digits', text: 'Feb 123 2021 12:11:39', iso: null },
  { source: 'a two-digit year', text: 'Feb 5 21 12:11:39', iso: null },
  { source: 'no seconds', text: 'Feb 5 2021 12:11', iso: null },
  { source: 'Pi 5 format, a one-digit month', text: '2026/5/26 16:01:25', iso: null },
  { source: 'Pi 5 format, a slash too many', text: '2026/05/26/ 16:01:25', iso: null },
  { source: 'Pi 5 format, letters for digits', text: '2026/O5/26 16:01:25', iso: null },
  { source: 'a time with dots', text: '2026/05/26 16.01.25', iso: null },
], (row) => assert.equal(parseFirmwareDate(row.text), row.iso));

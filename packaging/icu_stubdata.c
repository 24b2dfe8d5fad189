/* Replaces PySide6's 31 MB libicudata.so.NN in the bundle (see slim_icu in sonic-studio.spec).
 *
 * This is ICU's own "stubdata" library (icu4c/source/stubdata): a valid common-data header
 * with no entries.  QtCore links ICU, but the app uses nothing that needs ICU's data tables
 * (no QCollator, no legacy text codecs; Qt's locale, case and Unicode tables are its own),
 * and the smoke test opens every tab and dialog of the bundled app with it.  ICU_ENTRY is the
 * versioned symbol libicuuc looks for, e.g. icudt73_dat; the spec passes it.
 */
#include <stdint.h>

typedef struct {
    uint16_t headerSize;
    uint8_t magic1, magic2;
    struct {
        uint16_t size, reservedWord;
        uint8_t isBigEndian, charsetFamily, sizeofUChar, reservedByte;
        uint8_t dataFormat[4], formatVersion[4], dataVersion[4];
    } info;
    char padding[8];
    uint32_t count, reserved;
    struct { uint32_t nameOffset, dataOffset; } toc[1];
} IcuDataHeader;

__attribute__((visibility("default"))) const IcuDataHeader ICU_ENTRY = {
    32, 0xda, 0x27,                                   /* header size, magic */
    {20, 0, 0, 0, 2, 0,                               /* little-endian, ASCII family, 2-byte UChar */
     {0x54, 0x6f, 0x43, 0x50}, {1, 0, 0, 0}, {0, 0, 0, 0}},  /* "ToCP" v1 */
    {0}, 0, 0, {{0, 0}}                               /* no entries */
};

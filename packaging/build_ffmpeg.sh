#!/usr/bin/env bash
# Build the audio-only ffmpeg the bundle ships instead of imageio-ffmpeg's 165 MB full build.
# Usage: packaging/build_ffmpeg.sh            (build.sh runs it when build/ffmpeg-audio/ffmpeg is missing)
#
# What the app asks of ffmpeg is audio, plus one picture: decode what users upload and
# providers return (MP3, AAC/M4A, FLAC, Ogg Vorbis/Opus, WAV/AIFF/CAF PCM, ALAC), resample/
# downmix to PCM on a pipe, check a download decodes (-f null) and how long its packets play
# (-f framecrc: services/media.structure_check), measure loudness (ebur128),
# decode a song's stems at once, padded to the longest and merged (stem_deck: apad, amerge),
# trim/fade/mix for pydub's edits, encode MP3 (LAME) and WAV, and turn a WebP/GIF/BMP
# cover into a JPEG for tagging (the tests also write PNG/BMP fixtures with it).  This configure line enables exactly that: static, no video
# codecs, no network, no devices, LGPL-2.1+ (no --enable-gpl; LAME is LGPL too).
# The cover arrives on stdin (tags.cover_bytes), and an image pipe demuxer on a real pipe needs
# its format's parser to cut the stream into frames: without one, img2dec asks the pipe for its
# size, gets 0 and "Output file does not contain any stream" follows (a file, or a file
# redirected to stdin, works without).  Hence the webp/gif/png/mjpeg/bmp parsers.  FFmpeg has no
# TIFF parser, so a TIFF cover from a pipe fails with any ffmpeg, the full build too; the TIFF
# demuxer/decoder only serve file input.
# About 5 MB instead of 165 MB.  build.sh then runs the app's own ffmpeg tests against it and
# keeps the full build if any fails, so a new use of ffmpeg cannot slip past unnoticed.
#
# Source: Debian trixie's ffmpeg source package (FFmpeg 7.1.x, Debian's security updates
# included), fetched with apt-get through a private source list so the system's apt setup is
# left alone; only the source is used, so it builds on bookworm.  Not bookworm's 5.1: its MP3
# demuxer reports a non-audio file as "Invalid argument", where the app (audio/decode.py)
# recognises "Invalid data found" to tell the user it is not an audio file.  Build dependencies: a C compiler, make, nasm, libmp3lame-dev (installed here
# with apt-get when missing; needs root, as build.sh's other steps do not).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/ffmpeg-audio
WORK=build/ffmpeg-src
mkdir -p "$OUT" "$WORK/apt/lists/partial"

need=()
command -v nasm >/dev/null || need+=(nasm)
[ -e /usr/lib/x86_64-linux-gnu/libmp3lame.a ] || [ -e /usr/lib/libmp3lame.a ] || need+=(libmp3lame-dev)
[ -e /usr/lib/x86_64-linux-gnu/libz.a ] || [ -e /usr/lib/libz.a ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing build dependencies: ${need[*]}"
    apt-get install -y -q "${need[@]}"
fi

if ! ls "$WORK"/ffmpeg-*/configure >/dev/null 2>&1; then
    # The Debian mirror this machine already uses (its apt sources), asked for trixie's source.
    # Only the files apt reads, comment lines skipped (deb822 files often carry a commented-out
    # snapshot.debian.org URL first); a missing sources.list is normal with deb822, hence || true.
    MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | grep -vE '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?' | head -1) || true
    [ -n "$MIRROR" ] || { echo "No Debian mirror in this machine's apt sources" >&2; exit 1; }
    echo "deb-src ${MIRROR%/} trixie main" > "$WORK/apt/sources.list"
    APT=(-o "Dir::Etc::SourceList=$PWD/$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o "Dir::State::Lists=$PWD/$WORK/apt/lists")
    apt-get "${APT[@]}" update -q
    (cd "$WORK" && apt-get "${APT[@]}" source --download-only ffmpeg && tar xf ffmpeg_*.orig.tar.xz)
fi
SRC=$(ls -d "$WORK"/ffmpeg-*/ | head -1)
# LAME and zlib (PNG) linked in statically: a folder holding only their .a files comes first
# on the library path, so the binary needs nothing beyond libc/libm (checked below).
mkdir -p "$WORK/static-libs"
for lib in libmp3lame libz; do
    ln -sf "$(ls /usr/lib/x86_64-linux-gnu/$lib.a /usr/lib/$lib.a 2>/dev/null | head -1)" "$WORK/static-libs/$lib.a"
done
STATIC_LIBS="$PWD/$WORK/static-libs"

cd "$SRC"
./configure --prefix="$PWD/out" \
  --disable-everything --disable-autodetect --disable-doc --disable-debug \
  --disable-ffplay --disable-ffprobe --disable-network --disable-avdevice --disable-postproc \
  --enable-static --disable-shared --enable-pic \
  --enable-libmp3lame --enable-zlib --extra-ldflags="-static-libgcc -L$STATIC_LIBS" \
  --enable-protocol=file,pipe,fd \
  --enable-demuxer=mp3,wav,w64,flac,ogg,mov,aac,matroska,aiff,caf,pcm_s16le,pcm_f32le,image2,image2pipe,image_webp_pipe,image_png_pipe,image_jpeg_pipe,image_bmp_pipe,image_tiff_pipe,gif,image_gif_pipe \
  --enable-muxer=mp3,wav,null,framecrc,pcm_s16le,pcm_f32le,flac,ipod,image2,image2pipe \
  --enable-decoder=mp3,mp3float,mp2,mp2float,mp1,mp1float,aac,aac_fixed,aac_latm,alac,flac,vorbis,opus,pcm_s16le,pcm_s16be,pcm_s24le,pcm_s24be,pcm_s32le,pcm_f32le,pcm_f64le,pcm_u8,pcm_alaw,pcm_mulaw,webp,gif,png,mjpeg,bmp,tiff \
  --enable-encoder=libmp3lame,pcm_u8,pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le,flac,mjpeg,png,bmp \
  --enable-parser=mpegaudio,aac,aac_latm,flac,vorbis,opus,webp,gif,png,mjpeg,bmp \
  --enable-filter=aresample,aformat,anull,apad,amerge,atrim,volume,afade,amix,aevalsrc,anullsrc,ebur128,format,null,trim,concat,asetpts,scale \
  > ../configure.log
nice -n 19 make -j"$(nproc)" ffmpeg > ../make.log
strip -o "$OLDPWD/$OUT/ffmpeg" ffmpeg
cd "$OLDPWD"
"$OUT/ffmpeg" -hide_banner -version | head -1
if ldd "$OUT/ffmpeg" | grep -v -E 'linux-vdso|libc\.so|libm\.so|ld-linux' | grep -q '=>'; then
    echo "ERROR: $OUT/ffmpeg links more than libc/libm:" >&2; ldd "$OUT/ffmpeg" >&2; exit 1
fi
echo "Audio-only ffmpeg: $(du -h "$OUT/ffmpeg" | cut -f1) at $OUT/ffmpeg"

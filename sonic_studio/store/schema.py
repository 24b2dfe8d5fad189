"""The SQLite schema as an ordered list of migrations (``PRAGMA user_version`` = how many ran).

Append new migrations; never edit one that has shipped, because users' databases
already ran it.  Each runs in one transaction together with its version bump, so a
crash mid-migration leaves the previous version intact.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: tasks, clips, lineage, personas.
    """
    CREATE TABLE tasks (
        id               INTEGER PRIMARY KEY,
        provider         TEXT NOT NULL,
        provider_task_id TEXT,
        kind             TEXT NOT NULL,
        state            TEXT NOT NULL,
        title            TEXT NOT NULL DEFAULT '',
        detail           TEXT NOT NULL DEFAULT '',
        progress         REAL,
        request_json     TEXT NOT NULL DEFAULT '{}',
        error_json       TEXT,
        source_clip      INTEGER REFERENCES clips(id) ON DELETE SET NULL,
        source_url       TEXT,
        base_url         TEXT NOT NULL DEFAULT '',
        owner_pid        INTEGER,
        attempts         INTEGER NOT NULL DEFAULT 0,
        created_at       REAL NOT NULL,
        submitted_at     REAL,
        updated_at       REAL NOT NULL,
        finished_at      REAL
    );
    CREATE UNIQUE INDEX tasks_provider_task ON tasks(provider, provider_task_id)
        WHERE provider_task_id IS NOT NULL;
    CREATE INDEX tasks_state ON tasks(state);
    CREATE INDEX tasks_created ON tasks(created_at);

    CREATE TABLE clips (
        id                  INTEGER PRIMARY KEY,
        provider            TEXT NOT NULL,
        clip_id             TEXT NOT NULL,
        origin              TEXT NOT NULL,
        task                INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        source_task_id      TEXT,
        title               TEXT NOT NULL DEFAULT '',
        tags                TEXT NOT NULL DEFAULT '',
        lyrics              TEXT NOT NULL DEFAULT '',
        duration            REAL,
        audio_url           TEXT,
        stream_url          TEXT,
        image_url           TEXT,
        model               TEXT,
        state               TEXT NOT NULL,
        provider_error      TEXT,
        provider_created_at TEXT,
        full_song_of        TEXT,
        audio_path          TEXT,
        image_path          TEXT,
        download_error      TEXT,
        created_at          REAL NOT NULL,
        updated_at          REAL NOT NULL,
        deleted_at          REAL,
        UNIQUE (provider, clip_id)
    );
    CREATE INDEX clips_created ON clips(created_at);
    CREATE INDEX clips_title ON clips(title COLLATE NOCASE);
    CREATE INDEX clips_duration ON clips(duration);
    CREATE INDEX clips_origin ON clips(origin);
    CREATE INDEX clips_deleted ON clips(deleted_at);
    CREATE INDEX clips_task ON clips(task);

    CREATE TABLE lineage (
        clip           INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
        task           INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        task_kind      TEXT,
        parent_clip    INTEGER REFERENCES clips(id) ON DELETE SET NULL,
        parent_clip_id TEXT,
        source_url     TEXT,
        params_json    TEXT NOT NULL DEFAULT '{}',
        persona_id     TEXT
    );
    CREATE INDEX lineage_persona ON lineage(persona_id);
    CREATE INDEX lineage_parent ON lineage(parent_clip);

    CREATE TABLE personas (
        id             INTEGER PRIMARY KEY,
        provider       TEXT NOT NULL,
        persona_id     TEXT NOT NULL,
        name           TEXT NOT NULL,
        description    TEXT NOT NULL DEFAULT '',
        styles         TEXT NOT NULL DEFAULT '',
        source_clip    INTEGER REFERENCES clips(id) ON DELETE SET NULL,
        source_clip_id TEXT,
        source_task_id TEXT,
        vocal_start    REAL,
        vocal_end      REAL,
        notes          TEXT NOT NULL DEFAULT '',
        created_at     REAL NOT NULL,
        updated_at     REAL NOT NULL,
        UNIQUE (provider, persona_id)
    );
    CREATE INDEX personas_name ON personas(name COLLATE NOCASE);
    """,
    # 2: a full index on deleted_at made SQLite answer "deleted_at IS NULL" through it and
    # then sort every live clip (23 ms instead of 0.3 ms per page at 10,000 clips). A
    # partial index keeps purging fast and lets list queries use the sort indexes.
    """
    DROP INDEX clips_deleted;
    CREATE INDEX clips_deleted ON clips(deleted_at) WHERE deleted_at IS NOT NULL;
    """,
    # 3: library search at 100,000 clips.  A LIKE scan of ``clips`` reads every wide row
    # (lyrics and URLs) per keystroke, 80-130 ms for the "N clips" count alone.  clip_text
    # is a narrow copy of what the search box matches (title, tags, provider clip id,
    # joined by U+001F, which no search text contains), kept in step by triggers; the FTS5
    # trigram index over it finds candidates for a text of 3+ characters, and the LIKE
    # that decides stays the same, so results are exactly the old ones (see store.clips).
    # The triggers fire only when those three fields change, so refreshing a clip from a
    # poll or recording its files writes nothing more than before.
    """
    CREATE TABLE clip_text (
        id   INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE clip_search USING fts5(
        body, content = 'clip_text', content_rowid = 'id', tokenize = 'trigram'
    );

    CREATE TRIGGER clip_text_insert AFTER INSERT ON clips BEGIN
        INSERT INTO clip_text (id, body)
        VALUES (new.id, new.title || char(31) || new.tags || char(31) || new.clip_id);
    END;
    CREATE TRIGGER clip_text_update AFTER UPDATE OF title, tags, clip_id ON clips
    WHEN old.title IS NOT new.title OR old.tags IS NOT new.tags OR old.clip_id IS NOT new.clip_id BEGIN
        UPDATE clip_text SET body = new.title || char(31) || new.tags || char(31) || new.clip_id
        WHERE id = new.id;
    END;
    CREATE TRIGGER clip_text_delete AFTER DELETE ON clips BEGIN
        DELETE FROM clip_text WHERE id = old.id;
    END;

    CREATE TRIGGER clip_search_insert AFTER INSERT ON clip_text BEGIN
        INSERT INTO clip_search (rowid, body) VALUES (new.id, new.body);
    END;
    CREATE TRIGGER clip_search_update AFTER UPDATE ON clip_text BEGIN
        INSERT INTO clip_search (clip_search, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO clip_search (rowid, body) VALUES (new.id, new.body);
    END;
    CREATE TRIGGER clip_search_delete AFTER DELETE ON clip_text BEGIN
        INSERT INTO clip_search (clip_search, rowid, body) VALUES ('delete', old.id, old.body);
    END;

    INSERT INTO clip_text (id, body) SELECT id, title || char(31) || tags || char(31) || clip_id FROM clips;
    INSERT INTO clip_search (clip_search) VALUES ('rebuild');
    """,
    # 4: derived assets of a clip (WAV, stems, MIDI, timed lyrics, BPM, VOX): what the
    # provider answered (kept before anything is downloaded, so a crash loses nothing)
    # and which local files hold it.
    """
    CREATE TABLE assets (
        id               INTEGER PRIMARY KEY,
        clip             INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        kind             TEXT NOT NULL,
        task             INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        provider         TEXT NOT NULL,
        provider_task_id TEXT,
        state            TEXT NOT NULL,
        how              TEXT NOT NULL,
        urls_json        TEXT NOT NULL DEFAULT '{}',
        files_json       TEXT NOT NULL DEFAULT '{}',
        data_json        TEXT NOT NULL DEFAULT '{}',
        error            TEXT,
        created_at       REAL NOT NULL,
        updated_at       REAL NOT NULL
    );
    CREATE INDEX assets_clip ON assets(clip, kind);
    CREATE UNIQUE INDEX assets_provider_task ON assets(provider, provider_task_id)
        WHERE provider_task_id IS NOT NULL;
    """,
    # 5: the keeper of a set of takes (the one the user chose, shown with a star).  A
    # partial index: keepers are few, and "keepers only" lists them without a scan.
    """
    ALTER TABLE clips ADD COLUMN keeper INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX clips_keeper ON clips(keeper) WHERE keeper = 1;
    """,
]

LATEST_VERSION = len(MIGRATIONS)

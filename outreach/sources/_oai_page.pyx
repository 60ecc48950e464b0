# cython: language_level=3, boundscheck=False, wraparound=False
"""A ListRecords answer read by expat straight into the readers' table of fields, with no tree built.

lxml builds a tree of every node of a page before anything reads it: building and freeing it took 40 % of a
harvest worker's instructions, walking it (`_marc_walk`) some 7 % more. Expat, the parser inside Python
(reached through the C functions that `pyexpat` exports to other modules, as ElementTree's C module does),
calls this module's C functions for each start tag, end tag and piece of text instead, and they keep only
what the walk would read: each record's header, the fields of the read tags, the resumption token.

The answer must be exactly that of `oai.page_records` through lxml (tests/test_oai_page.py compares them on
the real records and on odd documents). Where it could differ, this module declines (returns None) and the
caller parses with lxml, which then also says what is wrong: expat refusing the document (lxml may accept or
refuse it: it decides), a document type declaration (attribute defaults and entities), nesting deeper than
libxml2's default limit, a root or ListRecords element missing.

Built by setup.py when a C compiler and expat's header are there (optional: lxml reads the pages otherwise).
"""

from cpython.pycapsule cimport PyCapsule_Import
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy, strcmp, strlen, strncmp, strrchr


cdef extern from "expat.h":
    ctypedef char XML_Char
    ctypedef void* XML_Parser
    ctypedef struct XML_Memory_Handling_Suite:
        pass
    ctypedef void (*XML_StartElementHandler)(void*, const XML_Char*, const XML_Char**)
    ctypedef void (*XML_EndElementHandler)(void*, const XML_Char*)
    ctypedef void (*XML_CharacterDataHandler)(void*, const XML_Char*, int)
    ctypedef void (*XML_CommentHandler)(void*, const XML_Char*)
    ctypedef void (*XML_ProcessingInstructionHandler)(void*, const XML_Char*, const XML_Char*)
    ctypedef void (*XML_StartDoctypeDeclHandler)(void*, const XML_Char*, const XML_Char*, const XML_Char*, int)
    enum XML_Status:
        XML_STATUS_ERROR
        XML_STATUS_OK


cdef extern from "pyexpat.h":
    const char* PyExpat_CAPI_MAGIC
    const char* PyExpat_CAPSULE_NAME

    struct PyExpat_CAPI:
        char* magic
        int size
        int (*Parse)(XML_Parser, const char*, int, int)
        XML_Parser (*ParserCreate_MM)(const XML_Char*, const XML_Memory_Handling_Suite*, const XML_Char*)
        void (*ParserFree)(XML_Parser)
        void (*SetCharacterDataHandler)(XML_Parser, XML_CharacterDataHandler)
        void (*SetCommentHandler)(XML_Parser, XML_CommentHandler)
        void (*SetElementHandler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler)
        void (*SetProcessingInstructionHandler)(XML_Parser, XML_ProcessingInstructionHandler)
        void (*SetUserData)(XML_Parser, void*)
        void (*SetStartDoctypeDeclHandler)(XML_Parser, XML_StartDoctypeDeclHandler)


cdef PyExpat_CAPI* EXPAT = <PyExpat_CAPI*>PyCapsule_Import(PyExpat_CAPSULE_NAME, 0)
if strcmp(EXPAT.magic, PyExpat_CAPI_MAGIC) != 0 or <size_t>EXPAT.size < sizeof(PyExpat_CAPI):
    raise ImportError("pyexpat's C functions are not those this module was built for")

# expat names an element "namespace SEP local name"; \x01 is no character of an XML 1.0 document
cdef const char* SEP = b"\x01"
cdef const char* OAI_NS = b"http://www.openarchives.org/OAI/2.0/"
cdef size_t OAI_LEN = strlen(OAI_NS)
# libxml2's default nesting limit: deeper documents are left to lxml, which applies its own
cdef enum:
    MAX_DEPTH = 256

# what an open element is to the walk (its role); NONE: nothing of it or below it is read
cdef enum Role:
    NONE, ROOT, LIST, TOKEN, RECORD, HEADER, IDENTIFIER, DATESTAMP, METADATA, MARC, DATAFIELD, SUBFIELD, \
        CONTROLFIELD, LEADER


cdef class _Walk:
    """The walk's state while expat reads one page; `failed` set, every handler does nothing more."""

    cdef int depth
    cdef Role roles[MAX_DEPTH + 2]
    cdef bint failed, root_seen, list_seen, token_seen
    cdef bint header_seen, identifier_seen, datestamp_seen, metadata_seen, marc_seen, deleted
    cdef char* text  # the text of the element being read, up to its first child (lxml's `.text`)
    cdef size_t text_len, text_cap
    cdef bint collecting
    cdef bytearray readable  # by tag number "000"-"999": 1 when a reader reads it
    cdef frozenset read_tags
    cdef list tag_names  # the tags' str objects, made once
    cdef object make_fields, make_harvested
    cdef object token, identifier, datestamp, tag, code, leader, fields
    cdef dict by_tag
    cdef list subfields, records

    def __cinit__(self, frozenset read_tags, make_fields, make_harvested):
        self.read_tags = read_tags
        self.readable = bytearray(1000)
        for tag in read_tags:
            if len(tag) == 3 and tag.isdigit() and tag.isascii():
                self.readable[int(tag)] = 1
        self.tag_names = [None] * 1000
        self.make_fields, self.make_harvested = make_fields, make_harvested
        self.records = []
        self.roles[0] = NONE

    def __dealloc__(self):
        free(self.text)

    cdef inline void start_text(self):
        self.text_len = 0
        self.collecting = True

    cdef int add_text(self, const char* s, int n) except -1:
        cdef size_t cap, wanted = self.text_len + <size_t>n
        cdef char* grown
        if wanted > self.text_cap:
            cap = max(2 * self.text_cap, wanted, 256)
            grown = <char*>realloc(self.text, cap)
            if grown is NULL:
                raise MemoryError()
            self.text, self.text_cap = grown, cap
        memcpy(self.text + self.text_len, s, n)
        self.text_len += n
        return 0

    cdef str taken_text(self):
        self.collecting = False
        return PyUnicode_DecodeUTF8(self.text, self.text_len, NULL)

    cdef object tag_of(self, const XML_Char** atts):
        """The element's `tag` attribute (no namespace) as a str; None without one; False for a tag no reader
        reads (its name and its fields are not asked for)."""
        cdef const char* value = _attribute(atts, b"tag")
        cdef int number
        if value is NULL:
            return None
        if _digit(value[0]) and _digit(value[1]) and _digit(value[2]) and value[3] == 0:
            number = (value[0] - 48) * 100 + (value[1] - 48) * 10 + (value[2] - 48)
            if not self.readable[number]:
                return False
            name = self.tag_names[number]
            if name is None:
                name = self.tag_names[number] = PyUnicode_DecodeUTF8(value, 3, NULL)
            return name
        name = PyUnicode_DecodeUTF8(value, strlen(value), NULL)
        return name if name in self.read_tags else False

    cdef Role role_of(self, Role parent, const XML_Char* name, const XML_Char** atts) except *:
        """What a new element is, from its parent's role, its name and its attributes (the walk's rules: the
        first header, metadata, identifier and datestamp of their parent; the first element in metadata)."""
        cdef const char* local = _local(name)
        cdef const char* status
        if parent == NONE:
            return NONE
        if parent == RECORD:
            if not self.header_seen and _oai(name, b"header"):
                self.header_seen = True
                status = _attribute(atts, b"status")
                self.deleted = status is not NULL and strcmp(status, b"deleted") == 0
                return HEADER
            if not self.metadata_seen and _oai(name, b"metadata"):
                self.metadata_seen = True
                return METADATA
            return NONE
        if parent == MARC:
            tag = self.tag_of(atts)
            if tag is False:
                return NONE
            if strcmp(local, b"datafield") == 0:
                if tag is None:
                    return NONE
                self.tag, self.subfields = tag, []
                return DATAFIELD
            if strcmp(local, b"controlfield") == 0:
                if tag is None:
                    return NONE
                self.tag = tag
                self.start_text()
                return CONTROLFIELD
            if strcmp(local, b"leader") == 0:
                self.start_text()
                return LEADER
            return NONE
        if parent == DATAFIELD:
            code = _attribute(atts, b"code")
            self.code = "" if code is NULL else PyUnicode_DecodeUTF8(code, strlen(code), NULL)
            self.start_text()
            return SUBFIELD
        if parent == LIST:
            if _oai(name, b"record"):
                self.header_seen = self.identifier_seen = self.datestamp_seen = False
                self.metadata_seen = self.marc_seen = self.deleted = False
                self.identifier = self.datestamp = ""
                self.fields = None
                return RECORD
            if not self.token_seen and _oai(name, b"resumptionToken"):
                self.token_seen = True
                self.start_text()
                return TOKEN
            return NONE
        if parent == HEADER:
            if not self.identifier_seen and _oai(name, b"identifier"):
                self.identifier_seen = True
                self.start_text()
                return IDENTIFIER
            if not self.datestamp_seen and _oai(name, b"datestamp"):
                self.datestamp_seen = True
                self.start_text()
                return DATESTAMP
            return NONE
        if parent == METADATA:
            if self.marc_seen:
                return NONE
            self.marc_seen = True
            self.by_tag, self.leader = {}, " " * 24
            return MARC
        if parent == ROOT:
            if not self.list_seen and _oai(name, b"ListRecords"):
                self.list_seen = True
                return LIST
        return NONE

    cdef int close(self, Role role) except -1:
        if role == SUBFIELD:
            self.subfields.append((self.code, self.taken_text()))
        elif role == DATAFIELD:
            self.by_tag.setdefault(self.tag, []).append(self.subfields)
        elif role == CONTROLFIELD:
            self.by_tag.setdefault(self.tag, []).append(self.taken_text())
        elif role == LEADER:
            self.leader = self.taken_text().ljust(24)[:24]
        elif role == MARC:
            self.fields = self.make_fields(self.leader, self.by_tag)
        elif role == IDENTIFIER:
            self.identifier = self.taken_text().strip()
        elif role == DATESTAMP:
            self.datestamp = self.taken_text().strip()
        elif role == RECORD:
            self.records.append(self.make_harvested(self.identifier, self.datestamp, self.deleted,
                                                    None if self.deleted else self.fields))
        elif role == TOKEN:
            self.token = self.taken_text().strip() or None
        return 0


cdef inline bint _digit(char c):
    return 48 <= c <= 57


cdef inline const char* _local(const XML_Char* name):
    cdef const char* cut = strrchr(name, SEP[0])
    return name if cut is NULL else cut + 1


cdef inline bint _oai(const XML_Char* name, const char* local):
    return strncmp(name, OAI_NS, OAI_LEN) == 0 and name[OAI_LEN] == SEP[0] and strcmp(name + OAI_LEN + 1, local) == 0


cdef const char* _attribute(const XML_Char** atts, const char* name):
    """The value of the attribute `name` without namespace, or NULL (expat gives name, value, name, value…)."""
    cdef int i = 0
    while atts[i] is not NULL:
        if strcmp(atts[i], name) == 0:
            return atts[i + 1]
        i += 2
    return NULL


cdef void _start(void* data, const XML_Char* name, const XML_Char** atts) noexcept:
    cdef _Walk walk = <_Walk>data
    if walk.failed:
        return
    walk.collecting = False  # an element's text, as lxml's `.text`, ends at its first child
    walk.depth += 1
    if walk.depth > MAX_DEPTH:
        walk.failed = True
        return
    try:
        if walk.depth == 1:
            walk.root_seen = _oai(name, b"OAI-PMH")
            walk.roles[1] = ROOT if walk.root_seen else NONE
        else:
            walk.roles[walk.depth] = walk.role_of(walk.roles[walk.depth - 1], name, atts)
    except BaseException:
        walk.failed = True


cdef void _end(void* data, const XML_Char* name) noexcept:
    cdef _Walk walk = <_Walk>data
    if walk.failed:
        return
    try:
        walk.close(walk.roles[walk.depth])
    except BaseException:
        walk.failed = True
    walk.collecting = False
    walk.depth -= 1


cdef void _text(void* data, const XML_Char* s, int n) noexcept:
    cdef _Walk walk = <_Walk>data
    if walk.collecting and not walk.failed:
        try:
            walk.add_text(s, n)
        except BaseException:
            walk.failed = True


cdef void _cut(void* data, const XML_Char* ignored) noexcept:
    (<_Walk>data).collecting = False  # a comment ends an element's `.text`, as a child does


cdef void _cut_pi(void* data, const XML_Char* target, const XML_Char* ignored) noexcept:
    (<_Walk>data).collecting = False


cdef void _doctype(void* data, const XML_Char* name, const XML_Char* sysid, const XML_Char* pubid,
                   int internal) noexcept:
    (<_Walk>data).failed = True


def page_records(bytes raw, frozenset read_tags, make_fields, make_harvested):
    """(resumption token or None, [make_harvested(identifier, datestamp, deleted, fields or None)…]) of a
    ListRecords answer, as `oai.page_records` reads it through lxml; None where this module declines."""
    cdef _Walk walk = _Walk(read_tags, make_fields, make_harvested)
    cdef XML_Parser parser = EXPAT.ParserCreate_MM(NULL, NULL, SEP)
    cdef int status
    if len(raw) > 0x7fffffff:  # expat takes an int length
        return None
    if parser is NULL:
        raise MemoryError()
    try:
        EXPAT.SetUserData(parser, <void*>walk)
        EXPAT.SetElementHandler(parser, _start, _end)
        EXPAT.SetCharacterDataHandler(parser, _text)
        EXPAT.SetCommentHandler(parser, _cut)
        EXPAT.SetProcessingInstructionHandler(parser, _cut_pi)
        EXPAT.SetStartDoctypeDeclHandler(parser, _doctype)
        status = EXPAT.Parse(parser, raw, len(raw), 1)
    finally:
        EXPAT.ParserFree(parser)
    if status != XML_STATUS_OK or walk.failed or not walk.root_seen or not walk.list_seen:
        return None
    return walk.token, walk.records

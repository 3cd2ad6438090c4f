# SPDX-License-Identifier: GPL-2.0
#
# Shared build settings of the userspace parts (lib/, daemon/, tools/,
# tests/unit/, tests/selftests/). Each Makefile sets ROOT to the top of the
# checkout before including this file, so every one of them works both as
# "make -C <dir>" from the top and as "make" inside <dir>.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
DESTDIR	?=

CC	?= cc
AR	?= ar
PKG_CONFIG ?= pkg-config
INSTALL	?= install

# -Werror unless WERROR=0; the top-level Makefile's KZT_WERROR=y also works.
WERROR	?= 1
ifeq ($(KZT_WERROR),y)
override WERROR := 1
endif

.DEFAULT_GOAL := all

# The release version is written once, in kmod/version.h.
KZT_VERSION := $(shell sed -n 's/^\#define KZT_VERSION "\(.*\)"/\1/p' \
		 $(ROOT)/kmod/version.h 2>/dev/null)
ifeq ($(KZT_VERSION),)
KZT_VERSION := unknown
endif

NL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnl-3.0 libnl-genl-3.0)
NL_LIBS   := $(shell $(PKG_CONFIG) --libs libnl-genl-3.0 libnl-3.0)
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1)
YAML_LIBS   := $(shell $(PKG_CONFIG) --libs yaml-0.1)
SSL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libssl libcrypto)
SSL_LIBS   := $(shell $(PKG_CONFIG) --libs libssl libcrypto)

CRYPTO_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto)
# The istiod client (lib/grpc*.c): HTTP/2 and the protobuf-c runtime.
PB_CFLAGS := $(shell $(PKG_CONFIG) --cflags libprotobuf-c libnghttp2)
PB_LIBS   := $(shell $(PKG_CONFIG) --libs libprotobuf-c libnghttp2)

# The C code protoc-c generates from proto/*.proto at build time (never
# committed), compiled into lib/libkzt.a; its headers are included as
# "xds.pb-c.h" etc.
PB_DIR	:= $(ROOT)/.build/proto

# The istiod client resolves names in a thread (lib/grpc_conn.c).
THREAD_LIBS := -pthread

# What a program linked with lib/libkzt.a needs after it.
LIBKZT_LIBS := $(NL_LIBS) $(YAML_LIBS) $(SSL_LIBS) $(PB_LIBS) $(THREAD_LIBS)

# CFLAGS and LDFLAGS are the user's (e.g. CFLAGS=-O0 on the command line);
# the warnings stay on whatever they say.
CFLAGS	?= -O2 -g
LDFLAGS	?=
KZT_CFLAGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	      -Werror=implicit-function-declaration
ifeq ($(WERROR),1)
KZT_CFLAGS += -Werror
endif
KZT_CPPFLAGS := -D_GNU_SOURCE -DKZT_VERSION='"$(KZT_VERSION)"' \
		-I$(ROOT)/include/uapi -I$(ROOT)/lib $(NL_CFLAGS) $(YAML_CFLAGS) \
		$(SSL_CFLAGS) -I$(PB_DIR) $(PB_CFLAGS) \
		-MMD -MP

# Dependency files are .<name>.d next to the object (ignored by git).
COMPILE	= $(CC) $(KZT_CPPFLAGS) $(CPPFLAGS) $(KZT_CFLAGS) $(CFLAGS) \
	  -MF $(dir $@).$(notdir $(@:.o=.d))

# "  CC      daemon/main.o" lines; V=1 prints the whole commands.
ifeq ($(V),1)
Q :=
msg = @:
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(patsubst $(ROOT)/%,%,$(2))
endif

LIBKZT	:= $(ROOT)/lib/libkzt.a

# Rebuild lib/libkzt.a through its own Makefile; dependents relink only
# when the archive really changed (make compares the mtime afterwards).
ifndef KZT_BUILDING_LIB
$(LIBKZT): FORCE
	@$(MAKE) --no-print-directory -C $(ROOT)/lib libkzt.a
endif

FORCE:
.PHONY: FORCE

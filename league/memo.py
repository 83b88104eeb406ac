"""Results too costly to make twice, kept in this process by key and made once even when asked together."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class _Making:
    def __init__(self, background: bool) -> None:
        self.background = background
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


class Memo(Generic[Value]):
    """The newest `size` results by key. A key asked while another thread makes it waits for that making
    (two sessions at once pay for one, not two), except that a visitor never waits for a making in the
    background: that runs at the lowest priority (league.db's work after commits), so on a busy machine
    the visitor makes its own rather than wait for the time readers leave."""

    def __init__(self, size: int):
        self.size = size
        self._kept: OrderedDict[Hashable, Value] = OrderedDict()
        self._making: dict[Hashable, _Making] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Value], *, background: bool = False) -> Value:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            making = self._making.get(key)
            mine = making is None or (making.background and not background)
            if mine:
                making = self._making[key] = _Making(background)
        if not mine:
            making.done.wait()
            if making.error is not None:
                raise making.error
            return making.value
        try:
            making.value = make()
        except BaseException as error:
            making.error = error
            raise
        finally:
            with self._lock:
                if self._making.get(key) is making:
                    del self._making[key]
                if making.error is None and key not in self._kept:  # a visitor's own making may have come first
                    self._kept[key] = making.value
                    while len(self._kept) > self.size:
                        self._kept.popitem(last=False)
            making.done.set()
        return making.value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

//! The project's only foreign-function code: inert stand-ins for the CPython symbols the embedded
//! engine's shared object imports.
//!
//! The engine (`_chdb.abi3.so` from the `chdb-core` wheel) is built as a Python extension module
//! that also exports an ADBC driver. It imports 120 CPython symbols and is linked with BIND_NOW, so
//! `dlopen` fails (`undefined symbol: _Py_NoneStruct`) unless every one of them resolves. Through
//! the ADBC entry point Python is never used: the only call ever made is `Py_IsInitialized`, which
//! answers "no". So the executable defines each symbol itself and exports it to the dynamic symbol
//! table (the `build.rs` of every crate whose executables load the engine passes
//! `-Wl,--export-dynamic-symbol=Py*` and `_Py*`); the binary needs neither Python nor libpython.
//!
//! * `Py_IsInitialized` returns 0 ("the interpreter is not running").
//! * Every other function aborts the process with a message naming it: if the engine ever did call
//!   into Python, continuing with a fake answer could corrupt data; a loud abort cannot.
//! * The data objects (`_Py_NoneStruct`, `PyExc_*`, `Py*_Type`) are zero-filled, read-only blocks
//!   large enough for the structures they stand for; nothing reads them.
//!
//! This is the only module of the project that is allowed `unsafe` (the `no_mangle` attribute is
//! unsafe in edition 2024: an exported name can clash with another definition of the same symbol).
//! The list of names comes from `nm -D --undefined-only _chdb.abi3.so` for chdb-core 26.9.0;
//! `tests/engine.rs` checks that the engine loads, so a changed list fails loudly.
#![allow(unsafe_code, non_snake_case, non_upper_case_globals)]

use std::io::Write;

/// Reports a call the engine was never expected to make, then aborts (see the module docs).
#[cold]
fn called_python(name: &str) -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "hog: the embedded ClickHouse engine called the Python C API function `{name}`, which this \
         program does not provide; aborting"
    );
    std::process::abort()
}

/// `int Py_IsInitialized(void)`: the interpreter is never initialised in this process.
// SAFETY: no other object in a `hog` executable defines `Py_IsInitialized` (libpython is never
// linked), and the function has the C signature the engine expects: no arguments, `int` result.
#[unsafe(no_mangle)]
pub extern "C" fn Py_IsInitialized() -> i32 {
    0
}

/// Defines one aborting stand-in per name. The engine calls these with various C signatures; a
/// callee that ignores its arguments and never returns is sound for any of them under the C ABI.
macro_rules! aborting_functions {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Stand-in for the CPython function `", stringify!($name), "`: aborts if called.")]
        // SAFETY: libpython is never linked into a `hog` executable, so this is the only
        // definition of the symbol; it takes no arguments and never returns, which is sound for
        // any C-ABI caller signature.
        #[unsafe(no_mangle)]
        pub extern "C" fn $name() -> ! {
            called_python(stringify!($name))
        }
    )*};
}

/// Zero-filled storage standing in for a CPython global object or type object. 512 bytes covers
/// `PyTypeObject` (the largest, about 400 bytes on 64-bit CPython 3.11).
#[repr(C, align(16))]
pub struct InertObject([u8; 512]);

/// Defines one zero-filled, read-only stand-in per CPython data symbol.
macro_rules! inert_objects {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Stand-in for the CPython object `", stringify!($name), "`: never read.")]
        // SAFETY: libpython is never linked into a `hog` executable, so this is the only
        // definition of the symbol; the engine only takes its address.
        #[unsafe(no_mangle)]
        pub static $name: InertObject = InertObject([0; 512]);
    )*};
}

aborting_functions!(
    PyByteArray_AsString,
    PyByteArray_FromStringAndSize,
    PyByteArray_Size,
    PyBytes_AsString,
    PyBytes_AsStringAndSize,
    PyBytes_FromObject,
    PyBytes_FromString,
    PyBytes_FromStringAndSize,
    PyBytes_Size,
    PyCallable_Check,
    PyCapsule_GetName,
    PyCapsule_GetPointer,
    PyCapsule_IsValid,
    PyCapsule_New,
    PyDict_Contains,
    PyDict_New,
    PyDict_Next,
    PyDict_Size,
    PyErr_Clear,
    PyErr_Fetch,
    PyErr_GivenExceptionMatches,
    PyErr_NormalizeException,
    PyErr_Occurred,
    PyErr_Print,
    PyErr_Restore,
    PyErr_SetString,
    PyErr_WriteUnraisable,
    PyEval_RestoreThread,
    PyEval_SaveThread,
    PyException_SetCause,
    PyException_SetContext,
    PyException_SetTraceback,
    PyFloat_AsDouble,
    PyFloat_FromDouble,
    PyImport_AddModule,
    PyImport_ImportModule,
    PyIndex_Check,
    PyIter_Next,
    PyList_Append,
    PyList_GetItem,
    PyList_New,
    PyList_Size,
    PyLong_AsDouble,
    PyLong_AsLong,
    PyLong_AsLongLongAndOverflow,
    PyLong_AsUnsignedLong,
    PyLong_AsUnsignedLongLong,
    PyLong_FromLong,
    PyLong_FromLongLong,
    PyLong_FromSize_t,
    PyLong_FromSsize_t,
    PyLong_FromString,
    PyLong_FromUnsignedLong,
    PyLong_FromUnsignedLongLong,
    PyModule_AddObject,
    PyModule_Create2,
    PyModule_GetName,
    PyNumber_Check,
    PyNumber_Float,
    PyNumber_Long,
    PyObject_Call,
    PyObject_CallFunctionObjArgs,
    PyObject_CallMethodObjArgs,
    PyObject_CallObject,
    PyObject_GetAttr,
    PyObject_GetAttrString,
    PyObject_GetItem,
    PyObject_GetIter,
    PyObject_HasAttrString,
    PyObject_IsInstance,
    PyObject_IsTrue,
    PyObject_Repr,
    PyObject_SetAttr,
    PyObject_SetAttrString,
    PyObject_SetItem,
    PyObject_Size,
    PyObject_Str,
    PySequence_Check,
    PySequence_GetItem,
    PySequence_List,
    PySequence_Size,
    PySequence_Tuple,
    PySlice_New,
    PyThread_tss_get,
    PyThread_tss_set,
    PyTuple_GetItem,
    PyTuple_New,
    PyTuple_SetItem,
    PyTuple_Size,
    PyType_GetFlags,
    PyType_IsSubtype,
    PyUnicode_AsUTF8String,
    PyUnicode_DecodeUTF8,
    PyUnicode_FromString,
    PyUnicode_FromStringAndSize,
    PyUnicode_InternFromString,
    PyWeakref_GetObject,
    PyWeakref_NewRef,
    Py_AddPendingCall,
    Py_GetVersion,
    _Py_Dealloc
);

inert_objects!(
    PyBool_Type,
    PyByteArray_Type,
    PyCapsule_Type,
    PyDict_Type,
    PyExc_ImportError,
    PyExc_IndexError,
    PyExc_RuntimeError,
    PyExc_SystemError,
    PyExc_TypeError,
    PyExc_ValueError,
    PyFloat_Type,
    PyFrozenSet_Type,
    PyMemoryView_Type,
    PyProperty_Type,
    PySet_Type,
    _Py_FalseStruct,
    _Py_NoneStruct,
    _Py_TrueStruct
);

/// The address of one stand-in. The engine loader takes it so that the linker always pulls this
/// module's object file into an executable that loads the engine (an unreferenced archive member
/// would be left out, and with it every stand-in).
pub fn anchor() -> usize {
    Py_IsInitialized as extern "C" fn() -> i32 as usize
}

unsafe extern "C" {
    /// glibc's `on_exit`: like `atexit`, and the hook receives the exit status. Hooks run in
    /// the reverse order of registration, so one registered after the engine started runs
    /// before the engine's own exit-time destructors.
    fn on_exit(hook: extern "C" fn(i32, *mut std::ffi::c_void), arg: *mut std::ffi::c_void) -> i32;
    fn fflush(stream: *mut std::ffi::c_void) -> i32;
    fn _exit(status: i32) -> !;
}

/// What the exit hook runs before ending the process.
static BEFORE_EXIT: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// The exit hook: runs the registered function, flushes C's stdio and ends the process with
/// the status `exit` was given, without running the exit handlers registered before it.
extern "C" fn end_process(status: i32, _arg: *mut std::ffi::c_void) {
    if let Some(before) = BEFORE_EXIT.get() {
        before();
    }
    exit_now(status)
}

/// Flushes C's stdio and ends the process at once with `status`: no exit handlers, no
/// destructors, no joining of the engine's threads (the kernel ends them).
pub fn exit_now(status: i32) -> ! {
    // SAFETY: `fflush(NULL)` flushes every C stdio stream and is safe to call at any time;
    // `_exit` ends the process at once with `status` and touches no Rust state.
    unsafe {
        fflush(std::ptr::null_mut());
        _exit(status)
    }
}

/// Makes a normal process exit (`exit`, returning from `main`) run `before` and then end the
/// process directly, skipping the exit handlers registered earlier (see `engine`'s docs).
/// Each call registers the hook once more, so that it runs before anything registered since;
/// `before` is the same function for the whole process. `false` if it cannot be registered.
pub fn end_process_at_exit(before: fn()) -> bool {
    let _ = BEFORE_EXIT.set(before);
    // SAFETY: `on_exit` only stores the function pointer and argument; `end_process` is a
    // plain function that lives for the whole program and ignores the (null) argument.
    unsafe { on_exit(end_process, std::ptr::null_mut()) == 0 }
}
